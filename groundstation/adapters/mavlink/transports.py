"""Byte transports under a MAVLink link: UDP (listen or send) and TCP (reconnecting); serial is in
``serial_link``.

Each hands every chunk it receives to ``on_data`` on the loop's thread and sends without blocking; none
knows anything of MAVLink. TCP reconnects with backoff for as long as the link lives, because an autopilot
simulator restarting is routine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

DataCallback = Callable[[bytes], None]

# UDP peers we answer on a listening link; more than this is a misconfiguration, not a fleet.
_MAX_UDP_PEERS = 16


class Transport(Protocol):
    async def open(self) -> None: ...

    def send(self, data: bytes) -> bool:
        """Queue ``data``; False when it could not be sent (no peer yet, not connected)."""

    async def close(self) -> None: ...


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpTransport) -> None:
        self._owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._owner.received(data, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while the peer is not up yet: routine for udpout, nothing to do.
        log.debug("UDP error on %s: %s", self._owner.describe, exc)


class UdpTransport:
    """``udpin`` binds and answers whoever sent to it last (all peers heard, newest first); ``udpout``
    sends to a fixed address and reads the replies on the same socket."""

    def __init__(self, host: str, port: int, on_data: DataCallback, *, listen: bool) -> None:
        self._host = host
        self._port = port
        self._on_data = on_data
        self._listen = listen
        self._transport: asyncio.DatagramTransport | None = None
        self._peers: OrderedDict[tuple[str, int], None] = OrderedDict()

    @property
    def describe(self) -> str:
        return f"{'udpin' if self._listen else 'udpout'}://{self._host}:{self._port}"

    @property
    def local_port(self) -> int | None:
        if self._transport is None:
            return None
        port: int = self._transport.get_extra_info("sockname")[1]
        return port

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        if self._listen:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), local_addr=(self._host, self._port)
            )
        else:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), remote_addr=(self._host, self._port)
            )
        self._transport = transport

    def received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._listen:
            self._peers[addr] = None
            self._peers.move_to_end(addr, last=False)
            while len(self._peers) > _MAX_UDP_PEERS:
                self._peers.popitem()
        self._on_data(data)

    def send(self, data: bytes) -> bool:
        transport = self._transport
        if transport is None or transport.is_closing():
            return False
        if not self._listen:
            transport.sendto(data)
            return True
        for peer in self._peers:
            transport.sendto(data, peer)
        return bool(self._peers)

    async def close(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()


class TcpTransport:
    """A TCP client that reconnects (0.25 s doubling to 5 s) until closed."""

    def __init__(
        self,
        host: str,
        port: int,
        on_data: DataCallback,
        *,
        on_state: Callable[[bool], None] | None = None,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._host = host
        self._port = port
        self._on_data = on_data
        self._on_state = on_state
        self._max_backoff_s = max_backoff_s
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self.connects = 0

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def open(self) -> None:
        # Connecting is the background task's job, not a precondition of opening: the autopilot (or its
        # simulator) may simply not be up yet, and the session shows that as silence.
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"mavlink-tcp:{self._host}:{self._port}")

    async def _run(self) -> None:
        backoff = 0.25
        while True:
            try:
                reader, writer = await asyncio.open_connection(self._host, self._port)
            except OSError as exc:
                log.debug("tcp://%s:%d not reachable: %s", self._host, self._port, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            backoff = 0.25
            self.connects += 1
            self._writer = writer
            self._notify(True)
            try:
                while data := await reader.read(65536):
                    self._on_data(data)
            except OSError as exc:
                log.info("tcp://%s:%d dropped: %s", self._host, self._port, exc)
            finally:
                self._writer = None
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
                self._notify(False)

    def _notify(self, up: bool) -> None:
        if self._on_state is not None:
            self._on_state(up)

    def send(self, data: bytes) -> bool:
        writer = self._writer
        if writer is None or writer.is_closing():
            return False
        # A peer that stops reading must not grow our buffer without bound: drop instead.
        if writer.transport.get_write_buffer_size() > 1_000_000:
            return False
        writer.write(data)
        return True

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
