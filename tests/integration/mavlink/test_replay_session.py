"""``groundstation replay`` end to end: a tlog replayed as a session of a real profile, summarized."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from groundstation.bootstrap import Runtime
from groundstation.cli.replay import replay_summary
from groundstation.domain.models import SessionState
from tests.conftest import SHARED_DATA

SMALL = SHARED_DATA / "ardusub_small.tlog"


async def test_replay_through_the_whole_pipeline(gs_home: Path) -> None:
    rt = Runtime()
    rt.catalog.create("replays")
    try:
        services = await rt.open_profile("replays")
        summary = await replay_summary(services, SMALL)
        session = await services.sessions.get(summary["session_id"])
    finally:
        await rt.close()
    assert summary["messages"] == 35912 and summary["bad_frames"] == 4
    assert summary["modes"] == ["MANUAL"]
    [(start, end)] = summary["armed_intervals"]
    assert start == pytest.approx(206, abs=1.5) and end == pytest.approx(222, abs=1.5)
    # One sample per second of log time persisted: the hub downsamples on the samples' (log) times.
    assert 250 <= summary["samples_persisted"] <= 265
    assert session.state is SessionState.STOPPED
    assert session.identity is not None and session.identity.vehicle_type == "SUBMARINE"


@pytest.mark.slow
def test_replay_command_prints_json(gs_home: Path) -> None:
    run = [sys.executable, "-m", "groundstation"]
    subprocess.run([*run, "profiles", "create", "cli"], check=True, capture_output=True, timeout=60)
    out = subprocess.run(
        [*run, "replay", str(SMALL), "--profile", "cli", "--speed", "max", "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    summary = json.loads(out.stdout)
    assert {"messages", "bad_frames", "vehicles", "armed_intervals", "modes", "samples_persisted"} <= set(summary)
    assert {(v["sysid"], v["compid"]) for v in summary["vehicles"]} == {(1, 1), (1, 100), (1, 194)}
    assert all({"sysid", "compid", "type", "autopilot"} <= set(v) for v in summary["vehicles"])
