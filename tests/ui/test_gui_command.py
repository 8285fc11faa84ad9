"""``groundstation gui`` as a user runs it (a child process, offscreen), and the no-argument default."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from groundstation import cli
from groundstation.cli import gui


@pytest.mark.slow
def test_gui_screenshot_and_stats_on_the_demo_profile(tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    env = {**os.environ, "GROUNDSTATION_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    args = ["gui", "--profile", "demo", "--layout", "2x2", "--screenshot", str(shot), "--quit-after", "5", "--stats"]
    done = subprocess.run(
        [sys.executable, "-m", "groundstation", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    assert stats["layout"] == "2x2" and stats["profile"] == "demo"
    assert stats["max_stall_ms"] >= stats["p99_stall_ms"] >= 0
    assert set(stats["displayed_fps"]) == {"alpha camera", "bravo camera", "charlie camera"}
    assert all(fps > 5 for fps in stats["displayed_fps"].values()), stats
    # The next start without --profile opens the profile used last.
    assert (tmp_path / "home" / gui.LAST_PROFILE_FILE).read_text().strip() == "demo"


def test_no_arguments_means_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []

    async def fake_gui(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(gui, "_gui", fake_gui)
    monkeypatch.setattr(gui, "_qt_loop", None)
    assert cli.main([]) == 0
    assert cli.main(["--debug"]) == 0
    assert [a.command for a in seen] == ["gui", "gui"]
    assert seen[0].profile is None and seen[1].debug


def test_an_unknown_profile_is_one_line_not_a_window(tmp_path: Path) -> None:
    env = {**os.environ, "GROUNDSTATION_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "groundstation", "gui", "--profile", "nobody", "--quit-after", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "no profile 'nobody'" in done.stderr and "Traceback" not in done.stderr
