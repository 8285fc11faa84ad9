"""MAVSDK from PyPI as an independent autopilot over real UDP, directly and through MAVProxy as a router.

What MAVSDK 4.1's ActionServer does, as seen: it acknowledges arm, disarm and takeoff (once allowed), and
never answers NAV_LAND or RETURN_TO_LAUNCH, so those end as ``no_answer`` here. Its heartbeat carries no
custom mode (base mode 0), so it has no mode table and ``set_mode`` is refused before sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mavsdk import ComponentType, Configuration
from mavsdk.asyncio import Mavsdk
from mavsdk.asyncio.plugins.action_server import ActionServerAsync
from mavsdk.asyncio.plugins.telemetry_server import TelemetryServerAsync
from mavsdk.plugins.telemetry_server import AngularVelocityBody, EulerAngle, Heading, Position, VelocityNed

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.domain.commands import CommandName, CommandOutcome, VehicleCommand
from groundstation.domain.connections import parse_connection
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind
from tests.peers.tools import mavproxy_command
from tests.unit.mavlink.support import RecordingSink, free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]


class MavsdkVehicle:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sdk: Mavsdk | None = None
        self.telemetry: TelemetryServerAsync | None = None
        self.action: ActionServerAsync | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.sdk = Mavsdk(Configuration.create_with_component_type(ComponentType.AUTOPILOT))
        await self.sdk.add_any_connection(f"udpout://127.0.0.1:{self.target_port}")
        component = await self.sdk.server_component()
        self.telemetry = TelemetryServerAsync(component)
        self.action = ActionServerAsync(component)
        await self.action.set_armable(True, True)
        await self.action.set_disarmable(True, True)
        await self.action.set_allow_takeoff(True)
        self._task = asyncio.get_running_loop().create_task(self._publish())

    async def _publish(self) -> None:
        assert self.telemetry is not None
        while True:
            await self.telemetry.publish_position(
                Position(47.3977, 8.5456, 488.0, 12.5), VelocityNed(3.0, 4.0, -1.0), Heading(90.0)
            )
            await self.telemetry.publish_attitude(EulerAngle(5.0, -3.0, 45.0, 0), AngularVelocityBody(0.0, 0.0, 0.0))
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self.sdk is not None:
            self.sdk.destroy()


@contextlib.asynccontextmanager
async def gcs_link(port: int) -> AsyncIterator[tuple[MavlinkLink, RecordingSink]]:
    sink = RecordingSink()
    link = MavlinkLink("ses_mavsdk", parse_connection(AdapterKind.MAVLINK, f"udpin://127.0.0.1:{port}?sysid=1"), sink)
    await link.open()
    try:
        yield link, sink
    finally:
        await link.close()


def assert_normalized(sink: RecordingSink) -> None:
    sample = next(s for s in reversed(sink.samples) if s.lat_deg is not None and s.roll_deg is not None)
    assert sample.lat_deg == pytest.approx(47.3977, abs=1e-6)
    assert sample.lon_deg == pytest.approx(8.5456, abs=1e-6)
    assert sample.alt_rel_m == pytest.approx(12.5, abs=0.01)
    assert sample.alt_msl_m == pytest.approx(488.0, abs=0.01)
    assert sample.roll_deg == pytest.approx(5.0, abs=0.01)
    assert sample.pitch_deg == pytest.approx(-3.0, abs=0.01)
    assert sample.groundspeed_mps == pytest.approx(5.0, abs=0.01)
    assert sample.climb_mps == pytest.approx(1.0, abs=0.01)
    assert sample.armed is False


async def test_mavsdk_autopilot_identity_telemetry_and_actions() -> None:
    port = free_udp_port()
    async with gcs_link(port) as (link, sink):
        vehicle = MavsdkVehicle(port)
        await vehicle.start()
        try:
            await wait_until(lambda: sink.identities, within=10)
            identity = sink.identities[0]
            assert (identity.system_id, identity.component_id) == (1, 1)
            assert (identity.autopilot, identity.vehicle_type) == ("GENERIC", "GENERIC")
            await wait_until(lambda: any(s.lat_deg is not None and s.roll_deg is not None for s in sink.samples))
            assert_normalized(sink)

            arm = await link.command(VehicleCommand(CommandName.ARM), timeout_s=3)
            assert arm.outcome is CommandOutcome.ACCEPTED, arm.message
            await wait_until(lambda: sink.samples[-1].armed is True)
            takeoff = await link.command(VehicleCommand(CommandName.TAKEOFF, {"alt_m": 10}), timeout_s=3)
            assert takeoff.outcome is CommandOutcome.ACCEPTED, takeoff.message
            land = await link.command(VehicleCommand(CommandName.LAND), timeout_s=1)
            assert land.outcome is CommandOutcome.NO_ANSWER  # MAVSDK's ActionServer does not answer NAV_LAND
            disarm = await link.command(VehicleCommand(CommandName.DISARM), timeout_s=3)
            assert disarm.outcome is CommandOutcome.ACCEPTED, disarm.message
            with pytest.raises(InvalidError):
                await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "GUIDED"}), timeout_s=1)
            stats = link.stats()
            assert stats.messages_in > 20 and stats.messages_out > 3 and stats.bad_frames == 0
        finally:
            await vehicle.stop()


async def test_through_mavproxy_as_a_router(tmp_path: Path) -> None:
    command = mavproxy_command()
    vehicle_side, gcs_side = free_udp_port(), free_udp_port()
    router = await asyncio.create_subprocess_exec(
        *command,
        f"--master=udpin:127.0.0.1:{vehicle_side}",
        f"--out=udpout:127.0.0.1:{gcs_side}",
        "--daemon",
        "--no-state",
        "--non-interactive",
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with gcs_link(gcs_side) as (link, sink):
            vehicle = MavsdkVehicle(vehicle_side)
            await vehicle.start()
            try:
                await wait_until(lambda: sink.identities, within=20)
                assert sink.identities[0].system_id == 1
                await wait_until(lambda: any(s.lat_deg is not None and s.roll_deg is not None for s in sink.samples))
                assert_normalized(sink)
                arm = await link.command(VehicleCommand(CommandName.ARM), timeout_s=3)
                assert arm.outcome is CommandOutcome.ACCEPTED, arm.message
                # The router's own heartbeat (a GCS) is seen on the link but never taken for the vehicle.
                assert link.target_system == 1
            finally:
                await vehicle.stop()
    finally:
        router.terminate()
        try:
            await asyncio.wait_for(router.wait(), 5)
        except TimeoutError:
            router.kill()
            await router.wait()
