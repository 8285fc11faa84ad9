"""``groundstation video probe``: prints status and QoS, or one clear line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groundstation.cli import main


def test_probe_prints_json_with_the_short_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["video", "probe", "synthetic://?w=160&h=90&fps=30", "--seconds", "0.6", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"state", "fps", "frames", "dropped", "width", "height", "codec", "error"} <= set(report)
    assert (report["state"], report["width"], report["height"], report["codec"]) == ("live", 160, 90, "rawvideo")
    assert report["frames"] > 5 and report["error"] is None
    assert {"source_fps", "frame_age_p95_ms", "stalls", "reconnects", "bitrate_kbps", "next_attempt_at"} <= set(report)


def test_probe_of_a_missing_file_fails_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["video", "probe", f"file://{tmp_path}/none.mp4"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"groundstation: error: cannot open file://{tmp_path}/none.mp4: not found: no file at {tmp_path}/none.mp4"
    ]


def test_probe_refuses_a_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["video", "probe", "rtsp://cam/live?transport=carrier-pigeon"]) == 1
    assert "transport must be tcp or udp" in capsys.readouterr().err
