"""Parameters and missions as services, through a running session on our simulator (ArduCopter: integers
travel as float casts, announced by the autopilot type), each write audited with its actor and outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from groundstation.bootstrap import ProfileServices
from groundstation.domain import actors
from groundstation.domain.errors import ConflictError, ErrorCode, InvalidError
from groundstation.domain.missions import Mission, MissionItem
from groundstation.domain.models import DeviceSession, Outcome, SessionState
from groundstation.domain.parameters import ParamChange, ParamType
from groundstation.services.vehicle_setup import ParamOutcome, TransferProgress, TransferState
from tests.integration.mavlink.sim_support import profile_runtime, sim_in_loop, wait_identified, wait_state
from tests.unit.mavlink.support import free_udp_port

pytestmark = [pytest.mark.peer, pytest.mark.slow]

REL = 3  # MAV_FRAME_GLOBAL_RELATIVE_ALT


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[ProfileServices, DeviceSession]]:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("copter two", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=2")
        async with sim_in_loop(port, 2):
            await wait_state(services, session.id, SessionState.ACTIVE)
            await wait_identified(services, session)
            yield services, session
        if services.sessions.live_state(session.id) is not None:
            await services.sessions.stop(session.id)


async def test_parameters_download_set_diff_load_and_export(running: tuple[ProfileServices, DeviceSession]) -> None:
    services, session = running
    params = services.parameters
    downloaded = await params.download(session.id)
    assert len(downloaded) > 20
    assert params.progress(session.id) == TransferProgress(
        "parameters.download", len(downloaded), len(downloaded), TransferState.FINISHED
    )
    # Integer parameters decoded from ArduPilot's float casts, with their types and indices.
    assert downloaded["SYSID_THISMAV"].value == 2 and downloaded["SYSID_THISMAV"].type is ParamType.INT16
    assert downloaded["RTL_ALT"].value == 1500 and downloaded["WPNAV_SPEED"].value == pytest.approx(800.0)
    assert [p.index for p in downloaded.values()] == list(range(len(downloaded)))

    confirmed = await params.set(session.id, "RTL_ALT", 2500)
    assert (confirmed.value, confirmed.type) == (2500, ParamType.INT16)
    assert (await params.get(session.id, "RTL_ALT")).value == 2500
    [entry] = await services.audit.list(action="parameter.set", target_id=session.id)
    assert (entry.actor, entry.outcome) == (actors.OPERATOR, Outcome.SUCCESS)
    assert entry.detail == {"name": "RTL_ALT", "value": 2500, "old": 1500, "confirmed": 2500}

    # The list was downloaded: a name not on it is refused at once, not after the vehicle's silence.
    with pytest.raises(InvalidError, match="NO_SUCH_PARAM"):
        await params.set(session.id, "NO_SUCH_PARAM", 1)
    failed = await services.audit.list(action="parameter.set", target_id=session.id)
    assert failed[-1].outcome is Outcome.FAILURE and "NO_SUCH_PARAM" in failed[-1].detail["error"]

    exported = await params.export_text(session.id, "qgroundcontrol")
    assert "\t2\t1\t" not in exported and "2\t1\tRTL_ALT\t2500\t4" in exported
    planner_file = "RTL_ALT,1500\nWPNAV_SPEED,600\nNOT_ON_THIS_FW,3\n"
    diff = await params.diff_text(session.id, planner_file)
    assert {c.name: (c.old, c.new) for c in diff.changed} == {"RTL_ALT": (2500, 1500), "WPNAV_SPEED": (800.0, 600)}
    assert [p.name for p in diff.added] == ["NOT_ON_THIS_FW"]
    written = await params.load_text(session.id, planner_file)
    assert {p.name: p.value for p in written} == {"RTL_ALT": 1500, "WPNAV_SPEED": pytest.approx(600.0)}
    assert (await params.diff_text(session.id, planner_file)).changed == ()


async def test_apply_goes_on_past_refusals_and_reports_each(running: tuple[ProfileServices, DeviceSession]) -> None:
    services, session = running
    params = services.parameters
    await params.download(session.id)
    heard: list[ParamOutcome] = []
    changes = (
        ParamChange("RTL_ALT", 1500, 3000),
        ParamChange("DISARM_DELAY", 10, 1000),  # INT8: refused before it is sent
        ParamChange("WPNAV_SPEED", 800.0, 650.0),
    )
    outcomes = await params.apply(session.id, changes, actor="api:tool", on_outcome=heard.append)
    assert heard == outcomes and [o.ok for o in outcomes] == [True, False, True]
    assert [o.confirmed.value for o in outcomes if o.confirmed] == [3000, pytest.approx(650.0)]
    refused = outcomes[1]
    assert refused.code is ErrorCode.INVALID and refused.refusal == "1000 is outside INT8's range -128..127"
    assert params.progress(session.id) == TransferProgress("parameters.apply", 3, 3, TransferState.FINISHED)
    cached = params.cached(session.id)
    assert cached is not None and cached["RTL_ALT"].value == 3000
    entries = await services.audit.list(action="parameter.set", target_id=session.id)
    assert [(e.detail["name"], e.actor, e.outcome) for e in entries] == [
        ("RTL_ALT", "api:tool", Outcome.SUCCESS),
        ("DISARM_DELAY", "api:tool", Outcome.FAILURE),
        ("WPNAV_SPEED", "api:tool", Outcome.SUCCESS),
    ]

    await services.sessions.stop(session.id)
    with pytest.raises(ConflictError, match="needs a running session"):
        await params.apply(session.id, changes)


async def test_mission_upload_download_set_current_clear_and_files(
    running: tuple[ProfileServices, DeviceSession],
) -> None:
    services, session = running
    missions = services.missions
    lat, lon = -35.3632, 149.1652
    mission = Mission(
        (
            MissionItem(0, 16, frame=0, x=lat, y=lon, z=584.0),  # home, as ArduPilot keeps it
            MissionItem(1, 22, frame=REL, z=10.0),
            MissionItem(2, 16, frame=REL, x=lat + 0.0009, y=lon, z=20.0),
            MissionItem(3, 16, frame=REL, x=lat + 0.0009, y=lon + 0.0011, z=25.0),
            MissionItem(4, 20, frame=REL),
        )
    )
    await missions.upload(session.id, mission)
    got = await missions.download(session.id)
    assert [(i.command, i.frame) for i in got.items[1:]] == [(22, REL), (16, REL), (16, REL), (20, REL)]
    assert got.items[2].x == pytest.approx(lat + 0.0009, abs=1e-7) and got.items[3].z == pytest.approx(25.0)
    await missions.set_current(session.id, 3)

    plan = missions.export_text(got, "plan")
    waypoints = missions.export_text(got, "waypoints")
    assert waypoints.startswith("QGC WPL 110")
    assert missions.import_text(plan).items[1:] == got.items[1:]
    assert missions.import_text(waypoints).items == got.items

    await missions.clear(session.id)
    assert len(await missions.download(session.id)) == 1  # home stays, as on ArduPilot
    actions = [(e.action, e.outcome) for e in await services.audit.list(target_id=session.id) if "mission" in e.action]
    assert actions == [
        ("mission.upload", Outcome.SUCCESS),
        ("mission.set_current", Outcome.SUCCESS),
        ("mission.clear", Outcome.SUCCESS),
    ]


async def test_a_stopped_session_has_no_vehicle_to_configure(running: tuple[ProfileServices, DeviceSession]) -> None:
    services, session = running
    await services.sessions.stop(session.id)
    with pytest.raises(ConflictError, match="needs a running session"):
        await services.missions.clear(session.id)
    [entry] = await services.audit.list(action="mission.clear", target_id=session.id)
    assert entry.outcome is Outcome.FAILURE
