"""Recordings against real sources: a live MPEG-TS over HTTP (remux) and decoded frames (encode)."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from groundstation.adapters.recording import PyAvRecorderFactory, recording_mode_for
from groundstation.adapters.recording.sidecar import read_sidecar
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import VideoFrame

pytestmark = pytest.mark.peer


def _wait(predicate: object, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not met")


def _decoded_times(path: Path) -> list[float]:
    """Every frame a player would show, flushing the decoder at the end even when the file ends mid-write
    (a decoder holds a few frames back; an error at a cut end must not discard them)."""
    times: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        try:
            for packet in container.demux(stream):
                try:
                    times.extend(float(f.time or 0.0) for f in stream.codec_context.decode(packet))
                except av.error.InvalidDataError:
                    continue
        except av.error.InvalidDataError:
            pass  # a file cut by a kill ends mid-cluster: what came before is what matters
        with contextlib.suppress(av.error.EOFError):  # already flushed by the demuxer's final empty packet
            times.extend(float(f.time or 0.0) for f in stream.codec_context.decode(None))
    return times


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("rtsp://cam/x", "remux"),
        ("http://cam/x.mjpg", "remux"),
        ("file:///a.mp4", "remux"),
        ("udp://0.0.0.0:5000", "encode"),
        ("rtp://0.0.0.0:5600", "encode"),
        ("synthetic://?w=64", "encode"),
        ("device://0", "encode"),
    ],
)
def test_each_source_kind_has_its_recording_mode(url: str, mode: str) -> None:
    assert recording_mode_for(url) == mode


def test_a_live_h264_source_is_remuxed_with_a_sidecar_line_per_frame(http_ts_server: str, tmp_path: Path) -> None:
    sample = TelemetrySample("ses_x", datetime.now(UTC), alt_rel_m=12.5, lat_deg=47.0, lon_deg=8.0)
    recording = PyAvRecorderFactory().start(
        http_ts_server,
        str(tmp_path / "nose.mkv"),
        frames=lambda _seq: None,
        telemetry=lambda: sample,
        stream_id="vid_1",
    )
    assert recording.mode == "remux"
    _wait(lambda: recording.progress().frames >= 45)
    final = recording.stop()
    assert final.finished
    assert final.error is None
    with av.open(recording.path) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert (video.width, video.height) == (640, 360)
    times = _decoded_times(Path(recording.path))
    header, lines = read_sidecar(Path(recording.sidecar_path))
    assert header["codec"] == "h264"
    assert header["stream_id"] == "vid_1"
    assert len(lines) == final.frames
    assert len(times) == len(lines)
    assert sorted(round(t, 3) for t in times) == sorted(round(line["pts_s"], 3) for line in lines)
    assert lines[0]["telemetry"]["alt_rel_m"] == 12.5


def test_frames_are_encoded_when_the_source_cannot_be_opened_twice(tmp_path: Path) -> None:
    seq = -1
    start = time.monotonic()

    def frames(after: int) -> VideoFrame | None:
        nonlocal seq
        now = time.monotonic()
        due = int((now - start) * 30)
        if due <= after:
            return None
        seq = due
        image = np.full((240, 320, 3), due % 255, dtype=np.uint8)
        sample = TelemetrySample("ses_x", datetime.now(UTC), alt_rel_m=float(due))
        return VideoFrame(image, due, now, datetime.now(UTC), 320, 240, telemetry=sample)

    recording = PyAvRecorderFactory().start("synthetic://?w=320&h=240", str(tmp_path / "syn.mkv"), frames=frames)
    assert recording.mode == "encode"
    _wait(lambda: recording.progress().frames >= 30)
    final = recording.stop()
    assert final.error is None
    times = _decoded_times(Path(recording.path))
    _header, lines = read_sidecar(Path(recording.sidecar_path))
    assert len(times) == len(lines) == final.frames
    assert [round(t, 3) for t in times] == [round(line["pts_s"], 3) for line in lines]
    assert all(line["telemetry"] is not None for line in lines)


def test_a_dead_source_ends_the_recording_with_a_clear_error(tmp_path: Path) -> None:
    recording = PyAvRecorderFactory().start(
        "http://127.0.0.1:9/none.ts", str(tmp_path / "x.mkv"), frames=lambda _s: None
    )
    _wait(lambda: recording.progress().finished, within=15)
    assert recording.progress().error == "the source refused the connection"


KILLED_RECORDER = r"""
import sys, time
from groundstation.adapters.recording import PyAvRecorderFactory
rec = PyAvRecorderFactory().start(sys.argv[1], sys.argv[2], frames=lambda _s: None)
while True:
    print(rec.progress().frames, flush=True)
    time.sleep(0.1)
"""


def test_a_recording_killed_with_sigkill_is_playable_and_its_sidecar_matches(
    http_ts_server: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    out = tmp_path / "killed.mkv"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RECORDER, http_ts_server, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if int(line) >= 60:
                break
    finally:
        proc.kill()
        proc.wait(timeout=10)
    times = _decoded_times(out)
    _header, lines = read_sidecar(out.with_name("killed.telemetry.jsonl"))
    assert len(times) >= 55
    # The kill may fall between a packet and its line: at most one frame apart, and the rest identical.
    assert abs(len(times) - len(lines)) <= 1
    common = min(len(times), len(lines))
    assert [round(t, 3) for t in sorted(times)[:common]] == [round(x["pts_s"], 3) for x in lines[:common]]
