"""The vehicle's current mission item as live telemetry: our simulator's MISSION_CURRENT reaches the hub's
samples, and history, which does not keep the field, still stores those samples (without it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundstation.domain.missions import Mission, MissionItem
from groundstation.domain.models import SessionState
from groundstation.domain.telemetry import TELEMETRY_FIELDS, GpsFix, TelemetrySample
from tests.integration.mavlink.sim_support import profile_runtime, sim_in_loop, wait_state
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]


async def test_a_sample_with_a_mission_item_persists_without_it(tmp_path: Path) -> None:
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.define("replayed", "FAKE", "fake://replayed?seed=2")
        sample = TelemetrySample(
            session.id, datetime(2024, 5, 1, 12, tzinfo=UTC), lat_deg=-35.36, gps_fix=GpsFix.FIX_3D, mission_seq=4
        )
        services.hub.publish(sample)
        assert services.hub.latest(session.id) == sample  # live: the field is there
        assert await services.hub.flush() == 1
        [stored] = await services.hub.history(session.id)
        assert stored == replace(sample, mission_seq=None)
        assert list(stored.to_dict()) == list(TELEMETRY_FIELDS)  # the CSV export's columns, exactly


async def test_mission_current_from_the_simulator_is_live_telemetry(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services, sim_in_loop(port, 1) as sim:
        session = await services.sessions.start("copter", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        await wait_state(services, session.id, SessionState.ACTIVE)
        home = sim.vehicles[1].config.home
        lat, lon = home.lat_deg, home.lon_deg
        mission = Mission(
            (
                MissionItem(0, 16, frame=0, x=lat, y=lon, z=584.0),
                MissionItem(1, 16, frame=3, x=lat + 0.0009, y=lon, z=20.0),
                MissionItem(2, 16, frame=3, x=lat + 0.0009, y=lon + 0.0011, z=25.0),
            )
        )
        await services.missions.upload(session.id, mission)
        assert sim.vehicles[1].set_mission_current(2)  # the vehicle moves on by itself (1 Hz MISSION_CURRENT)

        def live_seq() -> int | None:
            latest = services.hub.latest(session.id)
            return None if latest is None else latest.mission_seq

        await wait_until(lambda: live_seq() == 2, within=5)
        await services.missions.set_current(session.id, 1)  # confirmed by MISSION_CURRENT, so the next sample has it
        await wait_until(lambda: live_seq() == 1, within=2)
        await services.hub.flush()
        stored = await services.hub.history(session.id)
        assert stored and all(s.mission_seq is None for s in stored)
        await services.sessions.stop(session.id)
