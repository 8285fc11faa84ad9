"""The one link the whole simulated fleet shares, as a multi-vehicle network looks through a router.

Every vehicle's frames go to every GCS; what a GCS sends is parsed per GCS (a TCP client's byte stream is its
own) and routed by the simulator on target_system. Nothing here blocks: UDP sends are fire-and-forget, and a
TCP client that stops reading is dropped once its send buffer passes ``MAX_CLIENT_BUFFER`` rather than
slowing the fleet down for everybody.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_CLIENT_BUFFER = 1 << 20
# What a transport hands up: the bytes, and a key naming the GCS they came from (an address, a client).
Receiver = Callable[[bytes, Any], None]


class Transport(Protocol):
    def send(self, data: bytes) -> None:
        """Deliver one frame to every connected GCS; never blocks, never raises."""

    async def start(self, receive: Receiver) -> None:
        """Open the socket(s); from then on ``receive`` is called with what the GCSs send."""

    async def close(self) -> None: ...

    def describe(self) -> str: ...


class UdpOut(asyncio.DatagramProtocol):
    """``--udpout HOST:PORT``: send to a GCS listening there (QGroundControl on 14550) from an ephemeral port.

    The GCS answers to the port we send from; if its answers come from another address (a GCS behind NAT, a
    broadcast target), that address is learnt and used from then on, as ArduPilot's udpout does.
    """

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self.peer: tuple[Any, ...] | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._receive: Receiver | None = None
        self.send_errors = 0

    async def start(self, receive: Receiver) -> None:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(*self._target, type=socket.SOCK_DGRAM)
        family, _, _, _, address = infos[0]
        self.peer = address
        self._receive = receive
        local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self, local_addr=local, family=family, allow_broadcast=True
        )
        self._transport = transport

    def send(self, data: bytes) -> None:
        if self._transport is None or self._transport.is_closing() or self.peer is None:
            return
        try:
            self._transport.sendto(data, self.peer)
        except OSError:
            self.send_errors += 1

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.peer is not None and addr[:2] != self.peer[:2]:
            log.info("GCS answers from %s:%s; sending there from now on", addr[0], addr[1])
            self.peer = addr
        if self._receive is not None:
            self._receive(data, addr)

    def error_received(self, exc: Exception) -> None:
        # No GCS listening yet (ICMP port unreachable): keep sending, one will start.
        self.send_errors += 1

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @property
    def local_port(self) -> int:
        if self._transport is None:
            return 0
        return int(self._transport.get_extra_info("sockname")[1])

    def describe(self) -> str:
        return f"udpout to {self._target[0]}:{self._target[1]}"


class TcpListen:
    """``--tcp-listen [HOST:]PORT``: accept any number of GCS clients; each gets all vehicles' traffic."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._clients: dict[int, asyncio.StreamWriter] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_client = 0
        self._receive: Receiver | None = None

    async def start(self, receive: Receiver) -> None:
        self._receive = receive
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    @property
    def port(self) -> int:
        """The port listened on (the one the OS chose when asked for port 0)."""
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def send(self, data: bytes) -> None:
        for client, writer in list(self._clients.items()):
            if writer.transport.get_write_buffer_size() > MAX_CLIENT_BUFFER:
                log.warning("GCS client %d reads too slowly; disconnecting it", client)
                self._drop(client)
                continue
            with contextlib.suppress(ConnectionError, RuntimeError):
                writer.write(data)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._next_client += 1
        client = self._next_client
        peer = writer.get_extra_info("peername")
        self._clients[client] = writer
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        log.info("GCS client %d connected from %s", client, peer)
        try:
            while data := await reader.read(4096):
                if self._receive is not None:
                    self._receive(data, ("tcp", client))
        except (ConnectionError, OSError):
            pass
        finally:
            self._drop(client)
            if task is not None:
                self._tasks.discard(task)
            log.info("GCS client %d disconnected", client)

    def _drop(self, client: int) -> None:
        writer = self._clients.pop(client, None)
        if writer is not None:
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for client in list(self._clients):
            self._drop(client)
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def describe(self) -> str:
        return f"tcp listening on {self._host}:{self.port}"
