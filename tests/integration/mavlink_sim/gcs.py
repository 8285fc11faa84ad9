"""A small ground station of the tests' own: pymavlink's codec over real sockets, nothing of groundstation's.

It records every message it receives, so a test marks a point, sends, and waits for the answer that came
after the mark (never a fixed sleep).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from tests.waiting import wait_until

GCS_SYSID = 255
GCS_COMPID = 190  # MAV_COMP_ID_MISSIONPLANNER, what QGroundControl and Mission Planner use


class _Out:
    def __init__(self) -> None:
        self.write_to: Callable[[bytes], None] = lambda data: None

    def write(self, data: bytes) -> None:
        self.write_to(bytes(data))


class Gcs:
    def __init__(self) -> None:
        self._out = _Out()
        self.mav = mavlink.MAVLink(self._out, srcSystem=GCS_SYSID, srcComponent=GCS_COMPID)
        self._parser = mavlink.MAVLink(None)
        self._parser.robust_parsing = True
        self.received: list[Any] = []

    # ------------------------------------------------------------------------------------------ wiring
    def attach(self, write: Callable[[bytes], None]) -> None:
        self._out.write_to = write

    def feed(self, data: bytes) -> None:
        for msg in self._parser.parse_buffer(data) or []:
            if msg.get_type() != "BAD_DATA":
                self.received.append(msg)

    def send(self, msg: Any) -> None:
        self.mav.send(msg)

    # ------------------------------------------------------------------------------------------ waiting
    def mark(self) -> int:
        return len(self.received)

    def of(self, sysid: int, kind: str, since: int = 0) -> list[Any]:
        return [m for m in self.received[since:] if m.get_srcSystem() == sysid and m.get_type() == kind]

    async def expect(
        self,
        sysid: int,
        kind: str,
        where: Callable[[Any], bool] = lambda m: True,
        since: int = 0,
        within: float = 5.0,
    ) -> Any:
        found: list[Any] = []

        def seen() -> bool:
            found[:] = [m for m in self.of(sysid, kind, since) if where(m)]
            return bool(found)

        await wait_until(seen, within)
        return found[0]

    # ------------------------------------------------------------------------------------------ helpers
    async def command(self, sysid: int, command: int, *params: float, confirmation: int = 0) -> Any:
        """COMMAND_LONG and its COMMAND_ACK."""
        p = [*params, *([0.0] * (7 - len(params)))]
        mark = self.mark()
        self.send(self.mav.command_long_encode(sysid, 1, command, confirmation, *p))
        return await self.expect(sysid, "COMMAND_ACK", lambda m: m.command == command, mark)

    async def set_mode(self, sysid: int, mode: str) -> Any:
        from pymavlink import mavutil

        number = {v: k for k, v in mavutil.mode_mapping_acm.items()}[mode]
        flag = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        return await self.command(sysid, mavlink.MAV_CMD_DO_SET_MODE, flag, number)

    async def heartbeat_where(self, sysid: int, where: Callable[[Any], bool], within: float = 5.0) -> Any:
        return await self.expect(sysid, "HEARTBEAT", where, self.mark(), within)

    async def wait_fix(self, sysid: int, within: float = 10.0) -> Any:
        return await self.expect(sysid, "GPS_RAW_INT", lambda m: m.fix_type >= 3, self.mark(), within)

    async def position(self, sysid: int) -> Any:
        return await self.expect(sysid, "GLOBAL_POSITION_INT", since=self.mark())


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    north = math.radians(lat2 - lat1) * 6_378_137.0
    east = math.radians(lon2 - lon1) * 6_378_137.0 * math.cos(math.radians(lat1))
    return math.hypot(east, north)


class UdpGcs(asyncio.DatagramProtocol):
    """A GCS listening on UDP as QGroundControl does on 14550; it answers whoever sent to it."""

    def __init__(self, gcs: Gcs) -> None:
        self.gcs = gcs
        self.peer: Any = None
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls) -> UdpGcs:
        loop = asyncio.get_running_loop()
        proto = cls(Gcs())
        proto.transport, _ = await loop.create_datagram_endpoint(lambda: proto, local_addr=("127.0.0.1", 0))
        proto.gcs.attach(proto._write)
        return proto

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.peer = addr
        self.gcs.feed(data)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and self.peer is not None:
            self.transport.sendto(data, self.peer)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class TcpGcs:
    """A GCS connected to ``--tcp-listen`` as MAVProxy's ``tcp:HOST:PORT`` master is."""

    def __init__(self, gcs: Gcs, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.gcs = gcs
        self._writer = writer
        self._task = asyncio.get_running_loop().create_task(self._read(reader))
        gcs.attach(writer.write)

    @classmethod
    async def connect(cls, port: int) -> TcpGcs:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(Gcs(), reader, writer)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while data := await reader.read(4096):
            self.gcs.feed(data)

    async def close(self) -> None:
        self._task.cancel()
        self._writer.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
