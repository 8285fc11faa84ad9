"""Test implementations of the ``MavChannel`` Protocol, so the parameter and mission clients meet real peers
before the real link exists, and scripted peers in unit tests.

``UdpMavChannel`` listens on a loopback UDP port for an autopilot that connects with ``udpout://`` (mavsdk does)
and answers to the address it first hears from; it heartbeats as a GCS at 1 Hz because mavsdk only talks to systems
it has heard. ``ScriptedMavChannel`` hands every sent message to a function playing the vehicle, through the same
pymavlink codec both ways, so a unit test exercises real encoding without a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from pymavlink.dialects.v20 import common as mavlink

GCS_SYSTEM = 255
GCS_COMPONENT = 190


class _Fanout:
    """Delivers received messages from the target system to every open subscription of their type."""

    def __init__(self, target_system: int, target_component: int) -> None:
        self._target_system = target_system
        self._target_component = target_component
        self._subscribers: list[tuple[frozenset[str], asyncio.Queue[Any]]] = []
        self.received: list[Any] = []

    @property
    def target_system(self) -> int:
        return self._target_system

    @property
    def target_component(self) -> int:
        return self._target_component

    def _deliver(self, message: Any) -> None:
        if message.get_srcSystem() != self._target_system:
            return
        self.received.append(message)
        for types, queue in self._subscribers:
            if message.get_type() in types:
                queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def _subscription(self, types: frozenset[str]) -> AsyncIterator[AsyncIterator[Any]]:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        entry = (types, queue)
        self._subscribers.append(entry)

        async def messages() -> AsyncIterator[Any]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._subscribers.remove(entry)

    def subscribe(self, *message_types: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Any]]:
        return self._subscription(frozenset(message_types))


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self._on_datagram = on_datagram

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._on_datagram(data, addr)


class UdpMavChannel(_Fanout):
    """A ``MavChannel`` over one loopback UDP socket; the peer's address is learned from its first datagram."""

    def __init__(self, target_system: int = 1, target_component: int = 1) -> None:
        super().__init__(target_system, target_component)
        self._mav = mavlink.MAVLink(None, srcSystem=GCS_SYSTEM, srcComponent=GCS_COMPONENT)
        self._mav.robust_parsing = True
        self._parser = mavlink.MAVLink(None, srcSystem=GCS_SYSTEM, srcComponent=GCS_COMPONENT)
        self._parser.robust_parsing = True
        self._transport: asyncio.DatagramTransport | None = None
        self._peer: tuple[str, int] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._heard = asyncio.Event()
        self.sent: list[Any] = []

    @property
    def mav(self) -> Any:
        return self._mav

    @property
    def port(self) -> int:
        assert self._transport is not None
        port: int = self._transport.get_extra_info("sockname")[1]
        return port

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self._on_datagram), local_addr=(host, port)
        )
        self._transport = transport
        self._heartbeat = asyncio.create_task(self._heartbeat_loop())

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._transport is not None:
            self._transport.close()

    async def __aenter__(self) -> UdpMavChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def wait_for_vehicle(self, timeout_s: float = 5.0) -> None:
        """Wait for the first HEARTBEAT of the target system: before it there is no address to send to."""
        await asyncio.wait_for(self._heard.wait(), timeout_s)

    def send(self, message: Any) -> None:
        self.sent.append(message)
        if self._transport is not None and self._peer is not None:
            self._transport.sendto(bytes(message.pack(self._mav)), self._peer)

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        for message in self._parser.parse_buffer(data) or []:
            if message.get_type() == "BAD_DATA":
                continue
            if message.get_srcSystem() == self.target_system:
                if self._peer is None:
                    self._peer = addr
                    self._send_heartbeat()  # at once: the vehicle answers only systems it has heard
                if message.get_type() == "HEARTBEAT":
                    self._heard.set()
            self._deliver(message)

    async def _heartbeat_loop(self) -> None:
        while True:
            self._send_heartbeat()
            await asyncio.sleep(1.0)

    def _send_heartbeat(self) -> None:
        self.send(
            self._mav.heartbeat_encode(
                mavlink.MAV_TYPE_GCS, mavlink.MAV_AUTOPILOT_INVALID, 0, 0, mavlink.MAV_STATE_ACTIVE
            )
        )


Vehicle = Callable[[Any], Iterable[Any]]
"""Plays the vehicle in a unit test: given one message the client sent, returns the messages to answer with."""


class ScriptedMavChannel(_Fanout):
    """A ``MavChannel`` whose vehicle is a function; answers are encoded and decoded as if they crossed a link.

    Answers are delivered on the next loop iteration, never inside ``send``, as a real link would.
    """

    def __init__(self, vehicle: Vehicle, target_system: int = 1, target_component: int = 1) -> None:
        super().__init__(target_system, target_component)
        self._vehicle = vehicle
        self._mav = mavlink.MAVLink(None, srcSystem=GCS_SYSTEM, srcComponent=GCS_COMPONENT)
        self.vehicle_mav = mavlink.MAVLink(None, srcSystem=target_system, srcComponent=target_component)
        self._decoder = mavlink.MAVLink(None, srcSystem=GCS_SYSTEM, srcComponent=GCS_COMPONENT)
        self.sent: list[Any] = []

    @property
    def mav(self) -> Any:
        return self._mav

    def send(self, message: Any) -> None:
        decoded = self._decoder.parse_buffer(bytes(message.pack(self._mav)))[0]
        self.sent.append(decoded)
        answers = list(self._vehicle(decoded))
        loop = asyncio.get_running_loop()
        for answer in answers:
            loop.call_soon(self.push, answer)

    def push(self, message: Any) -> None:
        """Deliver one vehicle message (encoded with ``vehicle_mav``), as if it had just arrived."""
        for decoded in self._decoder.parse_buffer(bytes(message.pack(self.vehicle_mav))) or []:
            self._deliver(decoded)

    def sent_types(self) -> list[str]:
        return [m.get_type() for m in self.sent]
