"""``latest()``: the newest frame wins, frames a reader missed count as dropped, the first fetch records the age."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory, OpenCvVideoWorker
from groundstation.domain.models import StreamState
from groundstation.domain.telemetry import TelemetrySample
from tests.peers.video.recording_listener import StatusLog, wait_for


@pytest.fixture
def worker() -> Iterator[OpenCvVideoWorker]:
    created = OpenCvVideoSourceFactory().create_worker("s1", "synthetic://?w=64&h=48&fps=200", on_status=StatusLog())
    yield created
    assert created.stop()


def test_newest_wins_and_frames_nobody_reads_are_not_drops(worker: OpenCvVideoWorker) -> None:
    worker.start()
    wait_for(lambda: worker.status().qos.frames_decoded >= 20, within=5)
    assert worker.status().qos.frames_dropped == 0  # headless: no reader, nothing lost (serve reported 99%)
    frame = worker.latest()
    assert frame is not None
    decoded = worker.status().qos.frames_decoded
    assert frame.seq >= decoded - 1  # the newest, not the oldest waiting
    later = worker.latest(after_seq=frame.seq)
    assert later is None or later.seq > frame.seq


def test_a_reader_that_falls_behind_counts_the_frames_it_missed(worker: OpenCvVideoWorker) -> None:
    assert worker.latest() is None  # before start: reading, but nothing to take and nothing lost
    assert worker.status().state is StreamState.IDLE
    worker.start()
    taken = 0
    for _ in range(10):  # take one frame in every five or more: four or more missed each time
        decoded = worker.status().qos.frames_decoded
        wait_for(lambda d=decoded: worker.status().qos.frames_decoded >= d + 5, within=5)
        if worker.latest() is not None:
            taken += 1
    qos = worker.status().qos
    assert taken >= 9
    assert qos.frames_dropped >= 9 * 3
    assert qos.frames_dropped <= qos.frames_decoded - taken


def test_age_is_recorded_once_per_frame(worker: OpenCvVideoWorker) -> None:
    worker.start()
    wait_for(lambda: worker.latest() is not None, within=5)
    seen: set[int] = set()
    while len(seen) < 10:
        frame = worker.latest(max(seen, default=-1))
        if frame is not None:
            assert worker.latest(frame.seq - 1) is frame  # a second fetch of the same frame is allowed...
            seen.add(frame.seq)
    qos = worker.status().qos
    assert qos.frame_age_p50_ms is not None and qos.frame_age_p95_ms is not None
    assert 0 <= qos.frame_age_p50_ms <= qos.frame_age_p95_ms < 1000


def test_frames_carry_telemetry_and_the_output_size() -> None:
    sample = TelemetrySample(session_id="ses1", time=datetime.now(UTC))
    worker = OpenCvVideoSourceFactory().create_worker(
        "s1", "synthetic://?w=320&h=240&fps=60", on_status=StatusLog(), telemetry=lambda: sample
    )
    taps: list[int] = []
    worker.set_frame_tap(lambda frame: taps.append(frame.width))
    worker.set_output_size(160, 120)
    worker.start()
    try:
        wait_for(lambda: (f := worker.latest()) is not None and f.width == 160, within=5)
        frame = worker.latest()
        assert frame is not None and frame.image.shape == (120, 160, 3) and frame.telemetry is sample
        assert set(taps) == {320}  # the tap sees native frames
        assert worker.status().qos.width == 320  # QoS tells the source's size
        worker.set_output_size(None, None)
        wait_for(lambda: (f := worker.latest()) is not None and f.width == 320, within=5)
    finally:
        assert worker.stop()


def test_a_failing_listener_or_lookup_does_not_stop_the_stream() -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("listener bug")

    worker = OpenCvVideoSourceFactory().create_worker(
        "s1",
        "synthetic://?w=64&h=48",
        on_status=broken,
        telemetry=lambda: broken(),
    )
    worker.start()
    try:
        wait_for(lambda: worker.status().qos.frames_decoded > 5, within=5)
        assert worker.status().state is StreamState.LIVE
    finally:
        assert worker.stop()
