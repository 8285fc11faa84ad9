"""The video pipeline service over a real profile, with a scripted worker factory as its neighbour.

The real OpenCV workers are tested against real servers in tests/integration/video; here the question is
what the service does with what workers report: stored states, events, audit, snapshots, and following
the registry (enable, disable, re-point, delete).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from groundstation.bootstrap import ProfileServices
from groundstation.domain.events import EventKind
from groundstation.domain.models import AdapterKind, StreamQos, StreamState
from groundstation.domain.ports import StatusListener, TelemetryLookup
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import StreamStatus, VideoFrame
from groundstation.services.video_pipeline import VideoPipeline
from tests.waiting import wait_until


class ScriptedWorker:
    def __init__(self, stream_id: str, url: str, on_status: StatusListener, telemetry: TelemetryLookup | None) -> None:
        self.stream_id = stream_id
        self.url = url
        self.on_status = on_status
        self.telemetry = telemetry
        self.started = False
        self.stopped = False
        self._status = StreamStatus(StreamState.IDLE)

    def start(self) -> None:
        self.started = True

    def stop(self, timeout_s: float = 2.0) -> bool:
        self.stopped = True
        return True

    def latest(self, after_seq: int = -1) -> VideoFrame | None:
        if after_seq >= 0:
            return None
        sample = self.telemetry() if self.telemetry else None
        return VideoFrame(b"pixels", 0, 0.0, datetime.now(UTC), 2, 1, telemetry=sample)

    def status(self) -> StreamStatus:
        return self._status

    def set_output_size(self, width: int | None, height: int | None) -> None:
        self.output_size = (width, height)

    def set_frame_tap(self, tap: object) -> None:
        self.tap = tap

    def report(self, status: StreamStatus) -> None:
        """Report from another thread, as a real worker does."""
        self._status = status
        thread = threading.Thread(target=self.on_status, args=(status,))
        thread.start()
        thread.join()


class ScriptedFactory:
    def __init__(self) -> None:
        self.workers: list[ScriptedWorker] = []

    def check(self, url: str) -> None:
        return None

    def create_worker(
        self, stream_id: str, url: str, *, on_status: StatusListener, telemetry: TelemetryLookup | None = None
    ) -> ScriptedWorker:
        worker = ScriptedWorker(stream_id, url, on_status, telemetry)
        self.workers.append(worker)
        return worker

    def live(self, stream_id: str) -> list[ScriptedWorker]:
        return [w for w in self.workers if w.stream_id == stream_id and not w.stopped]


@pytest.fixture
async def pipeline(profile: ProfileServices) -> AsyncIterator[tuple[VideoPipeline, ScriptedFactory]]:
    factory = ScriptedFactory()
    video = VideoPipeline(
        store=profile.store,
        bus=profile.bus,
        audit=profile.audit,
        hub=profile.hub,
        factory=factory,
        clock=lambda: datetime.now(UTC),
        snapshot_interval_s=3600,
    )
    yield video, factory
    await video.close()


async def test_enabled_streams_get_a_worker_and_disabled_ones_none(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, factory = pipeline
    on = await profile.streams.create("on", "synthetic://")
    off = await profile.streams.create("off", "synthetic://", enabled=False)
    await video.start()
    assert [w.stream_id for w in factory.workers] == [on.id]
    assert factory.workers[0].started
    assert video.running_ids() == {on.id}
    assert video.status(off.id) is None


async def test_reported_states_are_stored_with_an_event_and_a_system_audit_entry(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, factory = pipeline
    stream = await profile.streams.create("nose", "rtsp://127.0.0.1:8554/x")
    await video.start()
    events = profile.bus.subscribe({EventKind.STREAM_STATE_CHANGED})
    worker = factory.workers[0]
    worker.report(StreamStatus(StreamState.CONNECTING))
    worker.report(StreamStatus(StreamState.LIVE, StreamQos(width=1280, height=720, codec="h264")))
    worker.report(StreamStatus(StreamState.LIVE, StreamQos(width=1280, height=720, codec="h264")))  # no change
    worker.report(StreamStatus(StreamState.ERROR, last_error="connection refused by 127.0.0.1:8554"))

    async def stored_error() -> bool:
        return (await profile.streams.get(stream.id)).state is StreamState.ERROR

    await wait_until(stored_error)
    stored = await profile.streams.get(stream.id)
    assert stored.last_error == "connection refused by 127.0.0.1:8554"
    seen = [events.queue.get_nowait() for _ in range(len(events.queue))]
    assert [(e.data["from"], e.data["to"]) for e in seen if e] == [
        ("idle", "connecting"),
        ("connecting", "live"),
        ("live", "error"),
    ]
    assert seen[-1] is not None
    assert seen[-1].severity.value == "warning"
    audit = await profile.audit.list(action="stream.state", target_id=stream.id)
    assert [a.actor for a in audit] == ["system"] * 3


async def test_the_pipeline_follows_the_registry(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, factory = pipeline
    await video.start()
    stream = await profile.streams.create("nose", "synthetic://?w=320&h=240")
    await wait_until(lambda: len(factory.live(stream.id)) == 1)
    first = factory.live(stream.id)[0]
    await profile.streams.update(stream.id, name="nose cam")  # a rename keeps the worker
    await profile.streams.update(stream.id, url="synthetic://?w=640&h=480")
    await wait_until(lambda: first.stopped and len(factory.live(stream.id)) == 1)
    assert factory.live(stream.id)[0].url == "synthetic://?w=640&h=480"
    await profile.streams.update(stream.id, enabled=False)
    await wait_until(lambda: factory.live(stream.id) == [])
    assert (await profile.streams.get(stream.id)).state is StreamState.DISABLED
    await profile.streams.update(stream.id, enabled=True)
    await wait_until(lambda: len(factory.live(stream.id)) == 1)
    await profile.streams.delete(stream.id)
    await wait_until(lambda: factory.live(stream.id) == [])
    assert video.running_ids() == frozenset()


async def test_frames_carry_the_linked_sessions_latest_telemetry(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, _factory = pipeline
    session = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    stream = await profile.streams.create("nose", "synthetic://", linked_session_id=session.id)
    unlinked = await profile.streams.create("tail", "synthetic://")
    await video.start()
    profile.hub.publish(TelemetrySample(session.id, datetime.now(UTC), alt_rel_m=42.0))
    frame = video.frame(stream.id)
    assert frame is not None
    assert frame.telemetry is not None
    assert frame.telemetry.alt_rel_m == 42.0
    other = video.frame(unlinked.id)
    assert other is not None
    assert other.telemetry is None


async def test_qos_snapshots_are_stored_and_readable_as_history(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, factory = pipeline
    stream = await profile.streams.create("nose", "synthetic://")
    await video.start()
    factory.workers[0]._status = StreamStatus(StreamState.LIVE, StreamQos(decoded_fps=29.9, frames_decoded=300))
    assert await video.snapshot_now() == 1
    factory.workers[0]._status = StreamStatus(StreamState.LIVE, StreamQos(decoded_fps=30.1, frames_decoded=600))
    assert await video.snapshot_now() == 1
    history = await video.qos_history(stream.id)
    assert [h.qos.frames_decoded for h in history] == [300, 600]
    assert (await profile.streams.get(stream.id)).qos.frames_decoded == 600


async def test_close_stops_every_worker(
    profile: ProfileServices, pipeline: tuple[VideoPipeline, ScriptedFactory]
) -> None:
    video, factory = pipeline
    for name in ("a", "b", "c"):
        await profile.streams.create(name, "synthetic://")
    await video.start()
    await video.close()
    assert all(w.stopped for w in factory.workers)
    assert video.running_ids() == frozenset()
