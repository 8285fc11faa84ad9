"""Our MAVLink adapter against our own simulator over real sockets, driven through the real session service.

The simulator runs as ``groundstation sim mavlink`` in a child process where the test stops and restarts it
(link loss and recovery), and on the test's loop where the fleet needs a setting the CLI does not offer (a
GPS that never gets a fix). Simulated time runs 4x, so a takeoff climbs in a couple of seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.bootstrap import ProfileServices
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.models import Outcome, SessionState
from groundstation.domain.telemetry import GpsFix
from tests.integration.mavlink.sim_support import (
    profile_runtime,
    sim_in_loop,
    sim_process,
    wait_identified,
    wait_state,
)
from tests.unit.mavlink.support import free_tcp_port, free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]

SIM_HOME = (-35.363261, 149.165230)


def latest(services: ProfileServices, session_id: str):  # type: ignore[no-untyped-def]
    sample = services.hub.latest(session_id)
    assert sample is not None
    return sample


async def fly_through_every_command(services: ProfileServices, session_id: str) -> None:
    """GUIDED, arm, takeoff (and it climbs), goto, change speed, RTL, land: each accepted and audited."""
    send = services.commands.send
    await wait_until(
        lambda: (
            (s := services.hub.latest(session_id)) is not None and s.gps_fix is not None and s.gps_fix >= GpsFix.FIX_3D
        ),
        within=15,
    )
    result = await send(session_id, "set_mode", {"mode": "GUIDED"})
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    assert "the vehicle is in GUIDED" in result.message  # confirmed by HEARTBEAT, not by the ACK alone
    result = await send(session_id, "arm")
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    await wait_until(lambda: latest(services, session_id).armed is True)
    result = await send(session_id, "takeoff", {"alt_m": 12})
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    await wait_until(lambda: (latest(services, session_id).alt_rel_m or 0) > 5, within=15)
    here = latest(services, session_id)
    assert here.lat_deg is not None and here.lon_deg is not None
    result = await send(session_id, "goto", {"lat": here.lat_deg + 0.0004, "lon": here.lon_deg, "alt_m": 15})
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    result = await send(session_id, "change_speed", {"speed_mps": 4})
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    await wait_until(lambda: (latest(services, session_id).lat_deg or 0) > here.lat_deg + 0.0001, within=15)
    result = await send(session_id, "rtl")
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    await wait_until(lambda: latest(services, session_id).mode == "RTL")
    result = await send(session_id, "land")
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    await wait_until(lambda: latest(services, session_id).mode == "LAND")
    audited = await services.audit.list(action="command.send", target_id=session_id)
    assert [e.detail["command"] for e in audited] == [
        "set_mode",
        "arm",
        "takeoff",
        "goto",
        "change_speed",
        "rtl",
        "land",
    ]
    assert all(e.outcome is Outcome.SUCCESS and e.detail["result"] == "accepted" for e in audited)


async def test_udp_session_identity_telemetry_every_command_link_loss_and_recovery(tmp_path: Path) -> None:
    port = free_udp_port()
    args = ("--vehicles", "3", "--udpout", f"127.0.0.1:{port}", "--speed", "4")
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("copter two", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=2")
        async with sim_process(*args) as sim:
            await wait_state(services, session.id, SessionState.ACTIVE)
            identified = await wait_identified(services, session)
            identity = identified.identity
            assert (identity.system_id, identity.component_id) == (2, 1)
            assert (identity.autopilot, identity.vehicle_type, identity.firmware) == (
                "ARDUPILOTMEGA",
                "QUADROTOR",
                "4.5.7",
            )
            await wait_until(
                lambda: (
                    (s := services.hub.latest(session.id)) is not None
                    and s.battery_pct is not None
                    and s.roll_deg is not None
                    and s.lat_deg is not None
                )
            )
            sample = latest(services, session.id)
            assert sample.lat_deg == pytest.approx(SIM_HOME[0], abs=0.02)
            assert sample.lon_deg == pytest.approx(SIM_HOME[1], abs=0.02)
            assert (sample.mode, sample.armed) == ("STABILIZE", False)
            assert sample.link_quality_pct is not None and sample.satellites is not None
            await fly_through_every_command(services, session.id)

            await sim.stop()  # the radio goes quiet
            await wait_state(services, session.id, SessionState.LINK_LOST)
            await sim.start()
            await wait_state(services, session.id, SessionState.ACTIVE, within=15)
        actions = [e.action for e in await services.audit.list(target_id=session.id)]
        assert actions.index("session.link_lost") < actions.index("session.link_restored")
        await services.sessions.stop(session.id)


async def test_tcp_session_commands_and_reconnect_after_the_simulator_restarts(tmp_path: Path) -> None:
    port = free_tcp_port()
    args = ("--vehicles", "2", "--tcp-listen", f"127.0.0.1:{port}", "--speed", "4")
    async with profile_runtime(tmp_path) as services, sim_process(*args) as sim:
        session = await services.sessions.start("copter one", "MAVLINK", f"tcp://127.0.0.1:{port}?sysid=1")
        await wait_state(services, session.id, SessionState.ACTIVE)
        assert (await wait_identified(services, session)).identity.system_id == 1
        await fly_through_every_command(services, session.id)
        await sim.stop()
        await wait_state(services, session.id, SessionState.LINK_LOST)
        await sim.start()
        await wait_state(services, session.id, SessionState.ACTIVE, within=15)
        await services.sessions.stop(session.id)


async def test_arming_before_a_gps_fix_is_refused_with_the_vehicles_reason(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("no fix", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        async with sim_in_loop(port, 1, gps_warmup_s=600):
            await wait_state(services, session.id, SessionState.ACTIVE)
            await wait_identified(services, session)
            result = await services.commands.send(session.id, "arm")
            assert result.outcome is CommandOutcome.FAILED
            assert result.message.endswith("Arm: Need Position Estimate"), result.message
            [entry] = await services.audit.list(action="command.send", target_id=session.id)
            assert entry.outcome is Outcome.FAILURE and entry.detail["result"] == "failed"
            # The vehicle's own words reach the event log as a vehicle message.
            events = await services.audit.list_events()
            assert any(e.data.get("text") == "Arm: Need Position Estimate" for e in events)
            # ArduCopter acknowledges GUIDED without a position estimate, then stays where it was.
            result = await services.commands.send(session.id, "set_mode", {"mode": "GUIDED"})
            assert result.outcome is CommandOutcome.FAILED and "still reports STABILIZE" in result.message
        await services.sessions.stop(session.id)
