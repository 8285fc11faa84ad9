"""Two vehicles on one UDP port, each its own session recording a tlog: each log holds its own vehicle only.

The sessions share one endpoint (one socket, one parse), yet a session's tlog keeps the frames from and to
its own system id (plus our GCS heartbeats and broadcasts that are not another vehicle's), so replaying it
finds exactly that one vehicle.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.adapters.mavlink.tlog import TlogReader
from groundstation.cli.replay import replay_summary
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.models import SessionState
from tests.integration.mavlink.sim_support import profile_runtime, sim_process, wait_identified, wait_state
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]


def _sources_and_targets(path: Path) -> tuple[set[int], set[int]]:
    reader = TlogReader(path)
    sources: set[int] = set()
    targets: set[int] = set()
    try:
        while not reader.eof:
            for _t, msg in reader.read_batch(1000):
                if msg.get_type() == "BAD_DATA":
                    continue
                sources.add(msg.get_srcSystem())
                target = getattr(msg, "target_system", None)
                if target is not None:
                    targets.add(target)
    finally:
        reader.close()
    return sources, targets


async def test_each_session_tlog_replays_to_its_own_vehicle(tmp_path: Path) -> None:
    port = free_udp_port()
    tlogs = tmp_path / "tlogs"
    async with profile_runtime(tmp_path) as services:
        sessions = [
            await services.sessions.start(
                f"copter {n}", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid={n}&tlog_dir={tlogs}"
            )
            for n in (1, 2)
        ]
        async with sim_process("--vehicles", "2", "--udpout", f"127.0.0.1:{port}", "--speed", "4"):
            for session in sessions:
                await wait_state(services, session.id, SessionState.ACTIVE)
                await wait_identified(services, session)
            links = [services.sessions.live_link(s.id) for s in sessions]
            assert all(isinstance(link, MavlinkLink) for link in links)
            assert len({id(link._endpoint) for link in links if isinstance(link, MavlinkLink)}) == 1
            # A command to vehicle 2 only: its ACK and our COMMAND_LONG belong in log 2, not in log 1.
            await wait_until(lambda: all((s := services.hub.latest(x.id)) and s.mode for x in sessions))
            result = await services.commands.send(sessions[1].id, "set_mode", {"mode": "ALT_HOLD"})
            assert result.outcome is CommandOutcome.ACCEPTED, result.message
            await wait_until(lambda: (s := services.hub.latest(sessions[1].id)) is not None and s.mode == "ALT_HOLD")
            recorders = [link.recorder for link in links if isinstance(link, MavlinkLink)]
            assert len(recorders) == 2
            await wait_until(lambda: all(r is not None and r.records > 50 for r in recorders))
            for session in sessions:
                await services.sessions.stop(session.id)

        for n, session in enumerate(sessions, start=1):
            path = tlogs / f"{session.id}.tlog"
            sources, targets = _sources_and_targets(path)
            assert sources == {n, 255}, f"log of vehicle {n} holds systems {sources}"
            assert targets <= {0, n, 255}, f"log of vehicle {n} holds frames addressed to {targets}"
            summary = await replay_summary(services, path)
            assert summary["bad_frames"] == 0
            assert {v["sysid"] for v in summary["vehicles"]} == {n}
            assert [(g["sysid"], g["type"]) for g in summary["ground_stations"]] == [(255, "GCS")]
            assert summary["target_system"] == n
            assert summary["samples_persisted"] > 0
            # Only vehicle 2 was switched to ALT_HOLD, and its log shows it.
            assert ("ALT_HOLD" in summary["modes"]) is (n == 2), summary["modes"]

    # The command line's replay agrees (a profile of its own in a fresh home).
    cli = await asyncio.to_thread(_cli_replay, tmp_path / "cli-home", tlogs / f"{sessions[0].id}.tlog")
    assert [(v["sysid"], v["compid"]) for v in cli["vehicles"]] == [(1, 1)]


def _cli_replay(home: Path, path: Path) -> dict[str, Any]:
    run = [sys.executable, "-m", "groundstation"]
    env = {**os.environ, "GROUNDSTATION_HOME": str(home)}
    subprocess.run([*run, "profiles", "create", "cli"], check=True, capture_output=True, timeout=60, env=env)
    out = subprocess.run(
        [*run, "replay", str(path), "--profile", "cli", "--speed", "max", "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    summary: dict[str, Any] = json.loads(out.stdout)
    return summary
