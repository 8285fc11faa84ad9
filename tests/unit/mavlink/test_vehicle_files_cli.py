"""``groundstation params diff`` and ``groundstation mission convert`` on files, no runtime needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from groundstation.adapters.mavlink.mission_files import load_mission


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groundstation", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_params_diff_reports_changes_and_exits_by_them(tmp_path: Path) -> None:
    a, b = tmp_path / "a.param", tmp_path / "b.param"
    a.write_text("RTL_ALT,1500\nWPNAV_SPEED,0.1\nGONE,1\n")
    b.write_text("# Onboard parameters\n1\t1\tRTL_ALT\t2000\t4\n1\t1\tWPNAV_SPEED\t0.10000000149\t9\n")
    out = run("params", "diff", str(a), str(b), "--json")
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout) == {
        "added": {},
        "removed": {"GONE": 1},
        "changed": {"RTL_ALT": {"old": 1500, "new": 2000}},
    }
    assert run("params", "diff", str(a), str(a)).returncode == 0


def test_mission_convert_between_waypoints_and_plan(tmp_path: Path) -> None:
    source = tmp_path / "m.waypoints"
    source.write_text(
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t-35.36\t149.16\t584\t1\n1\t0\t3\t22\t0\t0\t0\t0\t0\t0\t10\t1\n"
    )
    plan, back = tmp_path / "m.plan", tmp_path / "back.waypoints"
    assert run("mission", "convert", str(source), str(plan)).returncode == 0
    assert json.loads(plan.read_text())["fileType"] == "Plan"
    assert run("mission", "convert", str(plan), str(back)).returncode == 0
    assert load_mission(back).items[1:] == load_mission(source).items[1:]
    bad = run("mission", "convert", str(source), str(tmp_path / "m.kml"))
    assert bad.returncode != 0 and ".plan or .waypoints" in bad.stderr
