"""Serving the app with uvicorn on the caller's own asyncio loop (plain in ``serve``, qasync in the GUI).

``uvicorn.Server.serve`` runs as a task on the running loop over a socket bound here first, so the address
(and a port 0 made concrete) is known before the first request and a port in use fails ``start`` with a
clear error rather than a background task dying later. uvicorn's own signal capture is switched off: the
process that embeds the server owns SIGINT/SIGTERM and stops the server through ``stop``.

Loopback only unless ``allow_remote``: anything else is refused without it, and logged as a warning with
it (and with a second warning when the traffic is not TLS, since tokens would cross the network in clear).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from groundstation.api.app import create_app
from groundstation.api.context import ApiRuntime
from groundstation.api.limits import MAX_BODY_BYTES
from groundstation.domain.errors import InvalidError, UnavailableError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen_options(
    host: str, port: int, *, tls_cert: Path | None, tls_key: Path | None, allow_remote: bool
) -> None:
    """Refuse a non-loopback address without ``allow_remote``, half a TLS pair, a port out of range."""
    if not is_loopback(host) and not allow_remote:
        raise InvalidError(
            f"binding the API to {host} exposes it beyond this computer; pass --allow-remote to mean it",
            field="host",
        )
    if (tls_cert is None) != (tls_key is None):
        raise InvalidError("TLS needs both a certificate and its key", field="tls_key" if tls_cert else "tls_cert")
    if not 0 <= port <= 65535:
        raise InvalidError(f"port {port} is out of range", field="port")


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ApiServer:
    def __init__(
        self,
        runtime: ApiRuntime,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        tls_cert: Path | None = None,
        tls_key: Path | None = None,
        allow_remote: bool = False,
        allow_local_files: bool = False,
    ) -> None:
        check_listen_options(host, port, tls_cert=tls_cert, tls_key=tls_key, allow_remote=allow_remote)
        self.runtime = runtime
        self.host = host
        self.port = port
        self.tls = tls_cert is not None
        self.allow_local_files = allow_local_files
        self._tls_cert = tls_cert
        self._tls_key = tls_key
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._address: tuple[str, int] | None = None

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) actually bound; valid after ``start``."""
        if self._address is None:
            raise UnavailableError("the API server is not running")
        return self._address

    @property
    def url(self) -> str:
        host, port = self.address
        shown = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls else 'http'}://{shown}:{port}"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is not None:
            return
        sock = self._bind()
        config = uvicorn.Config(
            create_app(self.runtime, allow_local_files=self.allow_local_files),
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="websockets-sansio",
            ws_max_size=MAX_BODY_BYTES,
            server_header=False,
            timeout_graceful_shutdown=3,
            ssl_certfile=str(self._tls_cert) if self._tls_cert else None,
            ssl_keyfile=str(self._tls_key) if self._tls_key else None,
        )
        try:
            config.load()  # the TLS files are read here: a bad one fails start, not a request
        except Exception:
            sock.close()
            raise
        self._server = _EmbeddedServer(config)
        self._task = asyncio.get_running_loop().create_task(self._server.serve(sockets=[sock]), name="api-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise UnavailableError("the API server ended while starting")
            await asyncio.sleep(0.01)
        if not is_loopback(self.host):
            log.warning("the API listens on %s, beyond this computer (--allow-remote)", self.url)
            if not self.tls:
                log.warning("the API is not using TLS: tokens cross the network in clear; use --tls-cert/--tls-key")

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto
        # says TCP, and without it a response written as headers then body waits 40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(256)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise UnavailableError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from exc
        bound = sock.getsockname()
        self._address = (str(bound[0]), int(bound[1]))
        return sock

    async def stop(self) -> None:
        """Close the listener, let requests in flight finish (3 s at most), end WebSockets."""
        server, task = self._server, self._task
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), 5.0)
        except TimeoutError:
            server.force_exit = True
            await asyncio.gather(task, return_exceptions=True)
        finally:
            self._server = None
            self._task = None
            self._address = None
