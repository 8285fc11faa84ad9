"""`groundstation video record` as a user runs it, against a live source and a synthetic one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import pytest

from groundstation.adapters.recording.sidecar import read_sidecar

pytestmark = pytest.mark.peer


def _record(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groundstation", "video", "record", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("source", ["http", "synthetic"])
def test_a_quick_capture_writes_a_playable_file_and_its_sidecar(
    source: str, http_ts_server: str, tmp_path: Path
) -> None:
    url = http_ts_server if source == "http" else "synthetic://?w=320&h=240&fps=30&pattern=ball"
    out = tmp_path / f"{source}.mkv"
    done = _record(url, "--seconds", "2", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == ("remux" if source == "http" else "encode")
    assert report["frames"] >= 30
    with av.open(str(out)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    _header, lines = read_sidecar(Path(report["sidecar"]))
    assert frames == len(lines) == report["frames"]


def test_a_dead_source_or_a_wrong_name_is_one_clear_line(tmp_path: Path) -> None:
    dead = _record("rtsp://127.0.0.1:9/none", "--seconds", "1", "--out", str(tmp_path / "x.mkv"))
    assert dead.returncode == 1
    assert dead.stderr.strip().splitlines()[-1].startswith("groundstation: error: cannot open")
    wrong = _record("synthetic://", "--seconds", "1", "--out", str(tmp_path / "x.mp4"))
    assert wrong.returncode == 1
    assert ".mkv" in wrong.stderr
