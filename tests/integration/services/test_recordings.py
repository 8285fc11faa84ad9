"""Recordings and snapshots through the service: real PyAV files, frames from a scripted worker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from groundstation.adapters.recording import OpenCvSnapshotWriter, PyAvRecorderFactory
from groundstation.adapters.recording.sidecar import read_sidecar
from groundstation.bootstrap import ProfileServices
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.models import AdapterKind, Outcome
from groundstation.domain.ports import FrameTap, StatusListener, TelemetryLookup
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import RecordingState, VideoFrame
from groundstation.services.recordings import RecordingService
from groundstation.services.video_pipeline import VideoPipeline
from tests.integration.services.test_video_pipeline import ScriptedFactory, ScriptedWorker
from tests.waiting import wait_until


class MovingWorker(ScriptedWorker):
    """Frames at 30 fps generated on demand, each paired with the lookup's telemetry, as a worker does."""

    def __init__(self, stream_id: str, url: str, on_status: StatusListener, telemetry: TelemetryLookup | None) -> None:
        super().__init__(stream_id, url, on_status, telemetry)
        self._t0 = time.monotonic()

        self._tap: FrameTap | None = None
        self._tapping = threading.Event()

    def latest(self, after_seq: int = -1) -> VideoFrame | None:
        seq = int((time.monotonic() - self._t0) * 30)
        return None if seq <= after_seq else self._frame(seq)

    def _frame(self, seq: int) -> VideoFrame:
        image = np.zeros((120, 160, 3), dtype=np.uint8)
        image[:, : seq % 160] = 200
        sample = self.telemetry() if self.telemetry else None
        return VideoFrame(image, seq, time.monotonic(), datetime.now(UTC), 160, 120, telemetry=sample)

    def set_frame_tap(self, tap: FrameTap | None) -> None:
        """Like the real worker: every frame, in order, from the worker's own thread (30 fps here)."""
        self._tap = tap
        if tap is not None and not self._tapping.is_set():
            self._tapping.set()
            threading.Thread(target=self._feed, daemon=True).start()

    def _feed(self) -> None:
        seq = 0
        while (tap := self._tap) is not None:
            tap(self._frame(seq))
            seq += 1
            time.sleep(1 / 30)
        self._tapping.clear()


class MovingFactory(ScriptedFactory):
    def create_worker(
        self, stream_id: str, url: str, *, on_status: StatusListener, telemetry: TelemetryLookup | None = None
    ) -> MovingWorker:
        worker = MovingWorker(stream_id, url, on_status, telemetry)
        self.workers.append(worker)
        return worker


@pytest.fixture
async def recordings(profile: ProfileServices) -> AsyncIterator[RecordingService]:
    clock = lambda: datetime.now(UTC)  # noqa: E731
    pipeline = VideoPipeline(
        store=profile.store, bus=profile.bus, audit=profile.audit, hub=profile.hub, factory=MovingFactory(), clock=clock
    )
    await pipeline.start()
    service = RecordingService(
        profile_dir=Path(profile.store.profile.path),
        store=profile.store,
        audit=profile.audit,
        pipeline=pipeline,
        hub=profile.hub,
        recorder=PyAvRecorderFactory(),
        snapshots=OpenCvSnapshotWriter(),
        clock=clock,
        watch_interval_s=0.1,
    )
    yield service
    await service.close()
    await pipeline.close()


async def _linked_stream(profile: ProfileServices) -> tuple[str, str]:
    session = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    stream = await profile.streams.create("Nose Cam", "synthetic://?w=160&h=120", linked_session_id=session.id)
    return session.id, stream.id


async def test_record_then_stop_gives_a_playable_file_its_sidecar_and_a_listing(
    profile: ProfileServices, recordings: RecordingService
) -> None:
    session_id, stream_id = await _linked_stream(profile)
    await wait_until(lambda: recordings._pipeline.worker(stream_id) is not None)
    profile.hub.publish(TelemetrySample(session_id, datetime.now(UTC), alt_rel_m=33.0, lat_deg=47.1, lon_deg=8.2))
    info = await recordings.start(stream_id)
    assert info.state is RecordingState.RECORDING
    assert info.mode == "encode"
    assert Path(info.path).parent == Path(profile.store.profile.path) / "recordings"
    assert Path(info.path).name.startswith("nose-cam-")
    assert (await profile.streams.get(stream_id)).recording
    with pytest.raises(ConflictError, match="already recording"):
        await recordings.start(stream_id)
    await wait_until(lambda: (recordings.active(stream_id) or info).frames >= 20)
    done = await recordings.stop(stream_id)
    assert done.state is RecordingState.FINISHED
    assert done.frames >= 20
    assert done.size_bytes > 0
    assert not (await profile.streams.get(stream_id)).recording
    with av.open(done.path) as container:
        decoded = sum(1 for _ in container.decode(video=0))
    _header, lines = read_sidecar(Path(done.sidecar_path))
    assert decoded == len(lines) == done.frames
    assert lines[0]["telemetry"]["alt_rel_m"] == 33.0
    listed = await recordings.list(stream_id=stream_id)
    assert [r.id for r in listed] == [done.id]
    assert listed[0].duration_s > 0
    actions = [
        (a.action, a.outcome) for a in await profile.audit.list(target_id=stream_id) if a.action.startswith("rec")
    ]
    assert actions == [
        ("recording.start", Outcome.SUCCESS),
        ("recording.start", Outcome.FAILURE),
        ("recording.stop", Outcome.SUCCESS),
    ]


async def test_a_disabled_or_unknown_stream_cannot_record(
    profile: ProfileServices, recordings: RecordingService
) -> None:
    off = await profile.streams.create("off", "synthetic://", enabled=False)
    with pytest.raises(ConflictError, match="not running"):
        await recordings.start(off.id)
    with pytest.raises(NotFoundError):
        await recordings.start("vid_nope")
    with pytest.raises(ConflictError, match="not recording"):
        await recordings.stop(off.id)


async def test_a_snapshot_is_a_picture_with_position_and_attitude_beside_it(
    profile: ProfileServices, recordings: RecordingService
) -> None:
    session_id, stream_id = await _linked_stream(profile)
    await wait_until(lambda: recordings._pipeline.worker(stream_id) is not None)
    profile.hub.publish(TelemetrySample(session_id, datetime.now(UTC), lat_deg=47.1, lon_deg=8.2, roll_deg=3.0))
    shot = await recordings.snapshot(stream_id, fmt="jpg")
    assert Path(shot.path).suffix == ".jpg"
    assert Path(shot.path).stat().st_size > 0
    sidecar = json.loads(Path(shot.sidecar_path).read_text())
    assert sidecar["stream"]["id"] == stream_id
    assert sidecar["position"]["lat_deg"] == 47.1
    assert sidecar["attitude"]["roll_deg"] == 3.0
    png = await recordings.snapshot(stream_id)
    assert Path(png.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InvalidError, match="png or jpg"):
        await recordings.snapshot(stream_id, fmt="gif")


async def test_after_a_crash_running_recordings_are_interrupted(
    profile: ProfileServices, recordings: RecordingService
) -> None:
    _session_id, stream_id = await _linked_stream(profile)
    await wait_until(lambda: recordings._pipeline.worker(stream_id) is not None)
    info = await recordings.start(stream_id)
    await wait_until(lambda: (recordings.active(stream_id) or info).frames >= 5)
    # The process "dies": the next run finds the row still recording.
    recordings._active.pop(stream_id).recording.stop()
    assert await recordings.recover_after_restart() == 1
    listed = await recordings.list(stream_id=stream_id)
    assert listed[0].state is RecordingState.INTERRUPTED
    assert listed[0].size_bytes > 0
    assert not (await profile.streams.get(stream_id)).recording
