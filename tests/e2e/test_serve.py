"""The headless runtime as a process: clean stops, a killed process, two runtimes, readers beside it."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, wait_for_line

pytestmark = pytest.mark.slow


def _states(cli: Cli, profile: str = "demo") -> dict[str, str]:
    return {s["name"]: s["state"] for s in cli.json("sessions", "list", "--profile", profile)}


def test_demo_runs_for_a_duration_and_ends_with_every_session_stopped(cli: Cli) -> None:
    done = cli.run("serve", "--profile", "demo", "--demo", "--duration", "4")
    assert done.returncode == 0, done.stderr
    assert "session 'alpha' starting -> active" in done.stderr
    assert _states(cli) == {"alpha": "stopped", "bravo": "stopped", "charlie": "stopped"}
    sessions = cli.json("sessions", "list", "--profile", "demo")
    for s in sessions:
        assert set(s) >= {"id", "name", "adapter", "state", "started_at", "stopped_at", "last_error"}
        assert s["adapter"] == "FAKE"
        assert s["started_at"] is not None
    audit = cli.json("audit", "list", "--profile", "demo")
    assert {"at", "actor", "action", "target_id", "outcome"} <= set(audit[0])
    actions = {(a["actor"], a["action"]) for a in audit}
    assert ("system", "session.define") in actions
    assert ("system", "session.resume") in actions
    assert ("system", "session.stopped") in actions
    alpha = next(s for s in sessions if s["name"] == "alpha")
    csv_out = cli.run("telemetry", "export", "--profile", "demo", "--session", alpha["id"], "--format", "csv")
    assert csv_out.returncode == 0, csv_out.stderr
    rows = csv_out.stdout.strip().splitlines()
    assert rows[0].startswith("session_id,time,lat_deg,lon_deg")
    assert 3 <= len(rows) - 1 <= 6  # about one stored sample per second over 4 s
    json_out = cli.run("telemetry", "export", "--profile", "demo", "--session", alpha["id"], "--format", "json")
    assert json_out.returncode == 0


def test_sigterm_stops_cleanly_and_readers_work_beside_the_runtime(cli: Cli) -> None:
    proc = cli.spawn("serve", "--profile", "demo", "--demo")
    try:
        wait_for_line(proc, "session 'charlie' starting -> active")
        assert set(_states(cli).values()) == {"active"}
        second = cli.run("serve", "--profile", "demo", "--duration", "1")
        assert second.returncode == 1
        assert f"in use by another groundstation process (pid {proc.pid})" in second.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert set(_states(cli).values()) == {"stopped"}


def test_sigkill_while_writing_leaves_a_sound_database_and_interrupted_sessions(cli: Cli) -> None:
    proc = cli.spawn("serve", "--profile", "demo", "--demo")
    try:
        wait_for_line(proc, "session 'charlie' starting -> active")
        db = cli.home / "profiles" / "demo" / "profile.db"
        deadline = time.monotonic() + 20
        while _count(db, "telemetry_samples") < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _count(db, "telemetry_samples") >= 6
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The next runtime finds the sessions the dead one left live, and marks them interrupted.
    done = cli.run("serve", "--profile", "demo", "--duration", "1")
    assert done.returncode == 0, done.stderr
    assert set(_states(cli).values()) == {"interrupted"}
    said = [line for line in done.stderr.splitlines() if "when the last runtime stopped unexpectedly" in line]
    assert len(said) == 1, done.stderr
    assert "3 sessions were running" in said[0] and "marked interrupted" in said[0] and "'charlie'" in said[0]
    audit = cli.json("audit", "list", "--profile", "demo")
    assert sum(1 for a in audit if a["action"] == "session.interrupt" and a["actor"] == "system") == 3
    # And they resume; a clean stop before leaves nothing to report.
    done = cli.run("serve", "--profile", "demo", "--demo", "--duration", "2")
    assert done.returncode == 0, done.stderr
    assert "stopped unexpectedly" not in done.stderr
    assert set(_states(cli).values()) == {"stopped"}


def test_connect_and_scenario_start_sessions(cli: Cli, tmp_path: Path) -> None:
    scenario = tmp_path / "pair.toml"
    scenario.write_text(
        '[[vehicle]]\nname = "red"\nhome = { lat = 47.0, lon = 8.0, alt_msl_m = 400.0 }\n'
        '[[vehicle]]\nname = "blue"\nhome = { lat = 47.001, lon = 8.0, alt_msl_m = 400.0 }\n',
        encoding="utf-8",
    )
    assert cli.run("profiles", "create", "field").returncode == 0
    done = cli.run(
        "serve",
        "--profile",
        "field",
        "--connect",
        "fake://scout?seed=7",
        "--scenario",
        str(scenario),
        "--duration",
        "2",
    )
    assert done.returncode == 0, done.stderr
    assert _states(cli, "field") == {"scout": "stopped", "red": "stopped", "blue": "stopped"}


def test_a_scenario_with_an_error_names_its_line_and_field(cli: Cli, tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(
        '[[vehicle]]\nname = "red"\nhome = { lat = 47.0, lon = 8.0, alt_msl_m = 400.0 }\n\n'
        '[[event]]\nat_s = 3\nvehicle = "red"\nfault = "link_dorp"\n',
        encoding="utf-8",
    )
    assert cli.run("profiles", "create", "field").returncode == 0
    done = cli.run("serve", "--profile", "field", "--scenario", str(scenario), "--duration", "1")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "bad.toml" in last
    assert "line 8" in last
    assert "fault" in last


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_the_demo_streams_decode_while_serving_and_rest_idle_after(cli: Cli) -> None:
    proc = cli.spawn("serve", "--profile", "demo", "--demo")
    try:
        wait_for_line(proc, "session 'charlie' starting -> active")
        deadline = time.monotonic() + 30
        states: set[str] = set()
        while time.monotonic() < deadline:
            states = {row[0] for row in _rows(cli, "SELECT state FROM video_streams")}
            if states == {"live"}:
                break
            time.sleep(0.2)
        assert states == {"live"}
        qos = [json.loads(row[0]) for row in _rows(cli, "SELECT qos FROM video_streams")]
        assert all(q["width"] == 1280 and q["height"] == 720 for q in qos)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert {row[0] for row in _rows(cli, "SELECT state FROM video_streams")} == {"idle"}
    audit = cli.json("audit", "list", "--profile", "demo")
    changes = [a for a in audit if a["action"] == "stream.state"]
    assert {a["detail"]["to"] for a in changes} >= {"connecting", "live", "idle"}
    assert all(a["actor"] == "system" for a in changes)


def _rows(cli: Cli, sql: str) -> list[tuple[object, ...]]:
    db = cli.home / "profiles" / "demo" / "profile.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return list(conn.execute(sql))


def test_recordings_made_by_a_runtime_are_listed_by_the_cli(cli: Cli) -> None:
    import asyncio

    from groundstation.adapters.video import OpenCvVideoSourceFactory
    from groundstation.bootstrap import Runtime
    from groundstation.storage import FileProfileCatalog

    async def record() -> None:
        catalog = FileProfileCatalog(cli.home)
        catalog.create("rec")
        runtime = Runtime(catalog, video_factory=OpenCvVideoSourceFactory())
        try:
            services = await runtime.open_profile("rec")
            stream = await services.streams.create("Belly Cam", "synthetic://?w=320&h=240&fps=30")
            assert services.recordings is not None
            deadline = time.monotonic() + 20
            while (services.video.status(stream.id) if services.video else None) is None or (
                services.video.status(stream.id).state.value != "live"  # type: ignore[union-attr]
            ):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            await services.recordings.start(stream.id)
            while services.recordings.active(stream.id).frames < 30:  # type: ignore[union-attr]
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            await services.recordings.stop(stream.id)
        finally:
            await runtime.close()

    asyncio.run(record())
    listed = cli.json("recordings", "list", "--profile", "rec")
    assert len(listed) == 1
    entry = listed[0]
    assert entry["stream"] == "Belly Cam"
    assert entry["state"] == "finished"
    assert entry["size_bytes"] > 0
    assert entry["duration_s"] > 0.5
    assert entry["path"].startswith(str(cli.home / "profiles" / "rec" / "recordings"))
