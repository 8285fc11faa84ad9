"""Neighbours for MAVLink link tests: a sink that records, and a small scripted vehicle over real UDP."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from groundstation.adapters.mavlink.codec import FrameParser, mavlink2, new_encoder
from groundstation.domain.events import Severity
from groundstation.domain.models import VehicleIdentity
from groundstation.domain.telemetry import TelemetrySample


@dataclass
class RecordingSink:
    samples: list[TelemetrySample] = field(default_factory=list)
    identities: list[VehicleIdentity] = field(default_factory=list)
    messages: list[tuple[Severity, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)

    def on_sample(self, sample: TelemetrySample) -> None:
        self.samples.append(sample)

    def on_identity(self, identity: VehicleIdentity) -> None:
        self.identities.append(identity)

    def on_message(self, severity: Severity, text: str) -> None:
        self.messages.append((severity, text))

    def on_failure(self, reason: str) -> None:
        self.failures.append(reason)

    def on_finished(self, reason: str) -> None:
        self.finished.append(reason)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


CommandHandler = Callable[["ScriptedVehicle", Any], None]


class ScriptedVehicle(asyncio.DatagramProtocol):
    """An ArduCopter-shaped peer whose answers to commands the test scripts: it heartbeats at 20 Hz
    to ``port`` and hands every COMMAND_LONG/COMMAND_INT it receives to ``on_command``."""

    def __init__(self, port: int, *, sysid: int = 1, mav_type: int = mavlink2.MAV_TYPE_QUADROTOR) -> None:
        self.port = port
        self.sysid = sysid
        self.mav_type = mav_type
        self.autopilot = mavlink2.MAV_AUTOPILOT_ARDUPILOTMEGA
        self.base_mode = mavlink2.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        self.custom_mode = 0  # STABILIZE
        self.mav = new_encoder(sysid, 1, self._out)
        self.parser = FrameParser()
        self.commands: list[Any] = []
        self.received: list[Any] = []
        self.on_command: CommandHandler | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, remote_addr=("127.0.0.1", self.port))
        self._task = loop.create_task(self._beat())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._transport is not None:
            self._transport.close()

    def _out(self, data: bytes) -> None:
        if self._transport is not None:
            self._transport.sendto(data)

    async def _beat(self) -> None:
        while True:
            self.heartbeat()
            await asyncio.sleep(0.05)

    def heartbeat(self) -> None:
        self.mav.heartbeat_send(self.mav_type, self.autopilot, self.base_mode, self.custom_mode, 4)

    def ack(self, command: int, result: int, progress: int = 0) -> None:
        self.mav.command_ack_send(command, result, progress, 0, 255, 190)

    def statustext(self, text: str, severity: int = mavlink2.MAV_SEVERITY_CRITICAL) -> None:
        self.mav.statustext_send(severity, text.encode())

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        for msg in self.parser.feed(data):
            self.received.append(msg)
            if msg.get_type() in ("COMMAND_LONG", "COMMAND_INT"):
                self.commands.append(msg)
                if self.on_command is not None:
                    self.on_command(self, msg)

    def error_received(self, exc: Exception) -> None:
        pass
