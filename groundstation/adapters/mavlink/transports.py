"""Byte transports under a MAVLink link: UDP (listen or send) and TCP (reconnecting); serial is in
``serial_link``.

Each hands every chunk it receives to ``on_data`` on the loop's thread and sends without blocking; none
knows anything of MAVLink. TCP reconnects with backoff for as long as the link lives, because an autopilot
simulator restarting is routine. Each reports the changes of its condition (connected, lost and why,
reconnecting, back) to ``on_condition`` through a ``ConditionReporter``, once per distinct condition, so the
session can say why it went quiet instead of only that it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from groundstation.adapters.mavlink.link_condition import (
    ConditionCallback,
    ConditionReporter,
    LinkCondition,
    describe_os_error,
)

log = logging.getLogger(__name__)

DataCallback = Callable[[bytes], None]

# UDP peers we answer on a listening link; more than this is a misconfiguration, not a fleet.
_MAX_UDP_PEERS = 16


class Transport(Protocol):
    async def open(self) -> None: ...

    def send(self, data: bytes) -> bool:
        """Queue ``data``; False when it could not be sent (no peer yet, not connected)."""

    @property
    def condition(self) -> LinkCondition | None:
        """The condition of now (reported to ``on_condition`` or rate-limited); None before it knows."""

    async def close(self) -> None: ...


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpTransport) -> None:
        self._owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._owner.received(data, addr)

    def error_received(self, exc: Exception) -> None:
        self._owner.failed(exc)


class UdpTransport:
    """``udpin`` binds and answers whoever sent to it last (all peers heard, newest first); ``udpout``
    sends to a fixed address and reads the replies on the same socket.

    UDP has no connection to lose, but a send can fail: ``udpout``'s socket is connected, so on Linux the
    ICMP "port unreachable" of a peer that is not (or no longer) listening comes back as an error on the
    next operation. That is reported as lost (once, however many heartbeats bounce) and the next datagram
    received as back."""

    def __init__(
        self,
        host: str,
        port: int,
        on_data: DataCallback,
        *,
        listen: bool,
        on_condition: ConditionCallback | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._on_data = on_data
        self._listen = listen
        self._transport: asyncio.DatagramTransport | None = None
        self._peers: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._status = ConditionReporter(self.describe, on_condition, announce_connect=False)
        self.errors = 0

    @property
    def describe(self) -> str:
        return f"{'udpin' if self._listen else 'udpout'}://{self._host}:{self._port}"

    @property
    def condition(self) -> LinkCondition | None:
        return self._status.current

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
        self._status.up()
        self._on_data(data)

    def failed(self, exc: Exception) -> None:
        """A send or receive error the socket reported (asyncio routes ``sendto`` failures here too)."""
        self.errors += 1
        log.debug("UDP error on %s: %s", self.describe, exc)
        if self._listen:
            # Not ours to judge: an unconnected socket hears of one of many peers (Windows reports a gone
            # peer as WSAECONNRESET), while the others may be fine.
            return
        if isinstance(exc, ConnectionRefusedError):
            reason = "nothing is listening there (ICMP port unreachable)"
        else:
            reason = f"sending failed ({describe_os_error(exc)})"
        if self._status.lost(reason):
            log.info("%s: %s", self.describe, reason)

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
    """A TCP client that reconnects (0.25 s doubling to 5 s) until closed.

    A connection attempt that gets no answer gives up after ``connect_timeout_s``: the operating system's
    own wait for a host that drops SYNs is minutes, and the operator should hear of it sooner."""

    def __init__(
        self,
        host: str,
        port: int,
        on_data: DataCallback,
        *,
        on_condition: ConditionCallback | None = None,
        max_backoff_s: float = 5.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._on_data = on_data
        self._max_backoff_s = max_backoff_s
        self._connect_timeout_s = connect_timeout_s
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._status = ConditionReporter(self.describe, on_condition)
        self.connects = 0
        self.failed_connects = 0

    @property
    def describe(self) -> str:
        return f"tcp://{self._host}:{self._port}"

    @property
    def condition(self) -> LinkCondition | None:
        return self._status.current

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def open(self) -> None:
        # Connecting is the background task's job, not a precondition of opening: the autopilot (or its
        # simulator) may simply not be up yet, and the session shows that as silence.
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"mavlink-tcp:{self._host}:{self._port}")

    async def _run(self) -> None:
        backoff = _FIRST_BACKOFF_S
        while True:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self._host, self._port), self._connect_timeout_s
                )
            except OSError as exc:  # TimeoutError included
                self.failed_connects += 1
                log.debug("%s not reachable: %s", self.describe, exc)
                reason = _connect_failure(exc, self._connect_timeout_s)
                if self._status.retrying(reason, backoff, self._max_backoff_s):
                    log.info("%s: %s; reconnecting", self.describe, reason)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            backoff = _FIRST_BACKOFF_S
            self.connects += 1
            self._writer = writer
            self._status.up()
            reason = "connection closed by the other end"
            try:
                while data := await reader.read(65536):
                    self._on_data(data)
            except OSError as exc:
                log.info("%s dropped: %s", self.describe, exc)
                reason = f"connection lost ({describe_os_error(exc)})"
            finally:
                self._writer = None
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            # Not in ``finally``: closing the link cancels this task, and that is no loss to report.
            self._status.lost(reason)

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


_FIRST_BACKOFF_S = 0.25


def _connect_failure(exc: OSError, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError) and exc.errno is None:  # our own wait_for, not the kernel's ETIMEDOUT
        return f"no answer within {timeout_s:g} s"
    return describe_os_error(exc)
