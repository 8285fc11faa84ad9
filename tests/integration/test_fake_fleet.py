"""The FAKE adapter through the real pipeline: session service, telemetry hub, SQLite profile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from groundstation.bootstrap import ProfileServices, Runtime, start_demo_fleet
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind, SessionState
from groundstation.domain.telemetry import TelemetrySample
from groundstation.storage import FileProfileCatalog
from tests.waiting import wait_until


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    catalog = FileProfileCatalog(tmp_path / "home")
    for name in ("one", "two"):
        catalog.create(name)
    rt = Runtime(catalog, link_timeout_s=0.5)
    yield rt
    await rt.close()


async def _collect(profile: ProfileServices, sid: str, count: int) -> list[dict[str, Any]]:
    # Room for a whole catch-up burst (a busy machine may leave the simulation seconds behind at speed 20):
    # a dropped sample would misalign the two sequences and say nothing about determinism.
    subscription = profile.hub.subscribe({sid}, maxsize=100_000)
    samples: list[TelemetrySample] = []
    try:
        while len(samples) < count:
            samples.append(await asyncio.wait_for(subscription.get(), 10))
        assert subscription.dropped == 0
    finally:
        subscription.close()
    return [{k: v for k, v in asdict(s).items() if k not in ("time", "session_id")} for s in samples]


async def test_same_seed_and_scenario_give_the_same_telemetry_through_the_pipeline(runtime: Runtime) -> None:
    one = await runtime.open_profile("one")
    two = await runtime.open_profile("two")
    url = "fake://alpha?scenario=demo&speed=20"
    a = await one.sessions.start("alpha", AdapterKind.FAKE, url)
    b = await two.sessions.start("alpha", AdapterKind.FAKE, url)
    first, second = await asyncio.gather(_collect(one, a.id, 200), _collect(two, b.id, 200))
    # Subscriptions may start a few steps apart: align on a common run, then compare. One common sample is not
    # enough: a vehicle on the ground repeats the same sample for several steps, and aligning on the first
    # repeat would put the sequences a step apart.
    offset = next((o for o in range(50) if first[:20] == second[o : o + 20]), None)
    assert offset is not None, "no common run of 20 samples in the first 50"
    assert first[: 200 - offset] == second[offset:]
    # And it is a flight, not a vehicle sitting still: the demo's alpha takes off within its first seconds.
    assert max(s["alt_rel_m"] or 0.0 for s in first) > 5


async def test_a_scripted_link_drop_gives_link_lost_and_then_recovery(runtime: Runtime, tmp_path: Path) -> None:
    scenario = tmp_path / "drop.toml"
    scenario.write_text(
        '[[vehicle]]\nname = "red"\nhome = { lat = 47.0, lon = 8.0, alt_msl_m = 400.0 }\n'
        '[[event]]\nat_s = 2.0\nvehicle = "red"\nfault = "link_drop"\nduration_s = 8.0\n',
        encoding="utf-8",
    )
    profile = await runtime.open_profile("one")
    states = profile.bus.subscribe()
    s = await profile.sessions.start("red", AdapterKind.FAKE, f"fake://red?scenario={scenario}&speed=4")
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.LINK_LOST, within=10)
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE, within=10)
    changes = []
    while len(states.queue):
        event = states.queue.get_nowait()
        if event is not None and event.kind.value == "session.state_changed":
            changes.append((event.data["from"], event.data["to"]))
    assert changes == [("starting", "active"), ("active", "link_lost"), ("link_lost", "active")]


async def test_commands_reach_the_simulated_vehicle_and_refusals_carry_its_reason(runtime: Runtime) -> None:
    profile = await runtime.open_profile("one")
    s = await profile.sessions.start("solo", AdapterKind.FAKE, "fake://solo?seed=5&speed=10")
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    refused = await profile.commands.send(s.id, "takeoff", {"alt_m": 10})
    assert refused.outcome is CommandOutcome.DENIED
    assert refused.message
    await wait_until(lambda: _has_fix(profile, s.id), within=10)
    assert (await profile.commands.send(s.id, "set_mode", {"mode": "GUIDED"})).outcome is CommandOutcome.ACCEPTED
    assert (await profile.commands.send(s.id, "arm")).outcome is CommandOutcome.ACCEPTED
    assert (await profile.commands.send(s.id, "takeoff", {"alt_m": 10})).outcome is CommandOutcome.ACCEPTED
    await wait_until(lambda: ((profile.hub.latest(s.id) or _ground()).alt_rel_m or 0.0) > 5, within=10)
    log = [(e.detail["command"], e.detail.get("result")) for e in await profile.audit.list(action="command.send")]
    assert log == [("takeoff", "denied"), ("set_mode", "accepted"), ("arm", "accepted"), ("takeoff", "accepted")]


async def test_the_demo_fleet_flies(runtime: Runtime) -> None:
    profile = await runtime.open_profile("one")
    await start_demo_fleet(profile)
    sessions = await profile.sessions.list()
    assert sorted(s.name for s in sessions) == ["alpha", "bravo", "charlie"]
    streams = await profile.streams.list()
    assert {s.linked_session_id for s in streams} == {s.id for s in sessions}
    for s in sessions:
        await wait_until(lambda sid=s.id: profile.sessions.live_state(sid) is SessionState.ACTIVE)
    for s in sessions:
        await wait_until(lambda sid=s.id: bool((profile.hub.latest(sid) or _ground()).armed), within=15)
        identity = (await profile.sessions.get(s.id)).identity
        assert identity.vehicle_type == "quadrotor"


def _has_fix(profile: ProfileServices, sid: str) -> bool:
    latest = profile.hub.latest(sid)
    return latest is not None and latest.gps_fix is not None and latest.gps_fix >= 3


def _ground() -> TelemetrySample:
    from datetime import UTC, datetime

    return TelemetrySample("none", datetime.now(UTC))


async def test_a_misspelt_option_is_refused_before_any_session_is_recorded(runtime: Runtime) -> None:
    profile = await runtime.open_profile("one")
    with pytest.raises(InvalidError, match="unknown FAKE option 'sped'"):
        await profile.sessions.start("solo", AdapterKind.FAKE, "fake://solo?sped=10")
    with pytest.raises(InvalidError, match="scenario"):
        await profile.sessions.start("solo", AdapterKind.FAKE, "fake://solo?scenario=/nonexistent/x.toml")
    assert await profile.sessions.list() == []
