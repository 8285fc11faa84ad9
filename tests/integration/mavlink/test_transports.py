"""TCP with reconnect, serial over a pty pair, and tlog recording read back through replay."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from groundstation.adapters.mavlink import MavlinkAdapter, MavlinkLink
from groundstation.adapters.mavlink.codec import FrameParser, mavlink2, new_encoder
from groundstation.domain.connections import parse_connection
from groundstation.domain.models import AdapterKind
from tests.unit.mavlink.support import RecordingSink, ScriptedVehicle, free_tcp_port, free_udp_port
from tests.waiting import wait_until

pytestmark = pytest.mark.peer


def heartbeat_frame(mav: object) -> bytes:
    msg = mav.heartbeat_encode(  # type: ignore[attr-defined]
        mavlink2.MAV_TYPE_QUADROTOR,
        mavlink2.MAV_AUTOPILOT_ARDUPILOTMEGA,
        mavlink2.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
        5,
        4,
    )
    return bytes(msg.pack(mav))


class HeartbeatServer:
    """A TCP autopilot stand-in: streams heartbeats to whoever connects, and reads what they send."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mav = new_encoder(7, 1)
        self.parser = FrameParser()
        self.received: list[str] = []
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def read() -> None:
            while data := await reader.read(4096):
                self.received.extend(m.get_type() for m in self.parser.feed(data))

        reading = asyncio.get_running_loop().create_task(read())
        try:
            while True:
                writer.write(heartbeat_frame(self.mav))
                await writer.drain()
                await asyncio.sleep(0.05)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            reading.cancel()
            writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Python 3.11's close() leaves accepted connections open: drop them as a killed process would.
            for task in asyncio.all_tasks():
                if task.get_coro().__qualname__.startswith("HeartbeatServer._serve"):  # type: ignore[union-attr]
                    task.cancel()
            await self._server.wait_closed()


async def test_tcp_link_reconnects_after_the_server_restarts() -> None:
    port = free_tcp_port()
    server = HeartbeatServer(port)
    sink = RecordingSink()
    link = MavlinkLink("ses_tcp", parse_connection(AdapterKind.MAVLINK, f"tcp://127.0.0.1:{port}"), sink)
    await link.open()  # before the server is up: the link keeps trying
    try:
        await server.start()
        await wait_until(lambda: sink.samples, within=5)
        assert sink.identities[0].system_id == 7
        await wait_until(lambda: "HEARTBEAT" in server.received, within=3)  # our GCS heartbeat reached it
        await server.stop()
        await asyncio.sleep(0)
        before = len(sink.samples)
        server = HeartbeatServer(port)
        await server.start()
        await wait_until(lambda: len(sink.samples) > before + 5, within=8)
        transport = link._transport
        assert transport is not None and getattr(transport, "connects", 0) >= 2
    finally:
        await link.close()
        await server.stop()


async def test_serial_link_over_a_pty_pair() -> None:
    controller, device = os.openpty()
    path = os.ttyname(device)
    sink = RecordingSink()
    link = MavlinkLink("ses_serial", parse_connection(AdapterKind.MAVLINK, f"serial://{path}?baud=57600"), sink)
    await link.open()
    mav = new_encoder(3, 1)
    parser = FrameParser()
    try:
        for _ in range(5):
            os.write(controller, heartbeat_frame(mav))
        await wait_until(lambda: sink.identities and sink.samples, within=5)
        assert sink.identities[0].system_id == 3
        assert sink.samples[-1].mode == "LOITER"

        def gcs_heartbeat_arrived() -> bool:
            with contextlib.suppress(BlockingIOError):
                os.set_blocking(controller, False)
                return any(m.get_type() == "HEARTBEAT" for m in parser.feed(os.read(controller, 4096)))
            return False

        await wait_until(gcs_heartbeat_arrived, within=3)
    finally:
        await link.close()
        os.close(controller)
        os.close(device)


async def test_live_traffic_is_recorded_and_replays_through_the_same_link(tmp_path: Path) -> None:
    port = free_udp_port()
    adapter = MavlinkAdapter(tlog_dir=tmp_path / "tlogs")
    spec = parse_connection(AdapterKind.MAVLINK, f"udpin://127.0.0.1:{port}")
    adapter.check(spec)
    sink = RecordingSink()
    link = adapter.create_link("ses_rec", spec, sink)
    await link.open()
    vehicle = ScriptedVehicle(port)
    await vehicle.start()
    try:
        await wait_until(lambda: len(sink.samples) >= 10)
        await wait_until(lambda: any(m.get_type() == "HEARTBEAT" for m in vehicle.received), within=3)
    finally:
        await vehicle.stop()
        await link.close()
    recorded = tmp_path / "tlogs" / "ses_rec.tlog"
    assert recorded.stat().st_size > 0
    replay_sink = RecordingSink()
    replay = MavlinkLink("ses_back", parse_connection(AdapterKind.MAVLINK, f"tlog://{recorded}?speed=max"), replay_sink)
    await replay.open()
    await replay.wait_finished()
    await replay.close()
    summary = replay.summary()
    assert summary["bad_frames"] == 0
    kinds = {(v["sysid"], v["type"]) for v in summary["vehicles"] + summary["ground_stations"]}
    assert (1, "QUADROTOR") in kinds and (255, "GCS") in kinds  # both directions were recorded
    assert replay_sink.identities[0].system_id == 1
