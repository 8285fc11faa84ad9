"""Recordings and snapshots of a profile's streams: files in the profile's directory, rows in its database.

A recording runs in its recorder's thread; this service starts and stops it (audited), records what it
wrote, notices one that ended by itself (the source went away) and, after a crash, marks the ones that were
running ``interrupted`` (their files stay playable: Matroska is written cluster by cluster).
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from groundstation.domain import actors
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.events import EventKind
from groundstation.domain.ids import recording_id
from groundstation.domain.models import Outcome, VideoStream
from groundstation.domain.ports import (
    Clock,
    ProfileStore,
    RecorderFactory,
    Recording,
    SnapshotWriter,
    TelemetryLookup,
    UnitOfWork,
)
from groundstation.domain.video import RecordingInfo, RecordingProgress, RecordingState, SnapshotInfo, VideoFrame
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.frame_buffer import FrameBuffer
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.video_pipeline import VideoPipeline

log = logging.getLogger(__name__)

SNAPSHOT_FORMATS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg"}


@dataclass(eq=False)
class _Active:
    info: RecordingInfo
    recording: Recording
    stopping: bool = False


class RecordingService:
    def __init__(
        self,
        *,
        profile_dir: Path,
        store: ProfileStore,
        audit: AuditService,
        pipeline: VideoPipeline,
        hub: TelemetryHub,
        recorder: RecorderFactory,
        snapshots: SnapshotWriter,
        clock: Clock,
        watch_interval_s: float = 1.0,
    ) -> None:
        self._dir = profile_dir
        self._store = store
        self._audit = audit
        self._pipeline = pipeline
        self._hub = hub
        self._recorder = recorder
        self._snapshots = snapshots
        self._clock = clock
        self._watch_interval_s = watch_interval_s
        self._active: dict[str, _Active] = {}
        self._watcher: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------------ recordings
    async def start(self, stream_id: str, *, actor: str = actors.OPERATOR) -> RecordingInfo:
        stream = await self._stream_or_refuse(stream_id, actor, "recording.start")
        try:
            if stream_id in self._active:
                holder = self._active[stream_id].info.id
                raise ConflictError(f"stream '{stream.name}' is already recording ({holder})", holder=holder)
            worker = self._pipeline.worker(stream_id)
            if worker is None:
                raise ConflictError(f"stream '{stream.name}' is not running; enable it to record", holder=stream_id)
        except ConflictError as exc:
            await self._refused(actor, "recording.start", stream_id, exc)
            raise
        rid = recording_id()
        started = self._clock()
        path = self._dir / "recordings" / f"{_slug(stream.name)}-{_stamp(started)}.mkv"
        # Every frame, in order, at native size (the frames viewers fetch may be resized for a tile).
        buffer = FrameBuffer()
        worker.set_frame_tap(buffer.push)
        recording = self._recorder.start(
            stream.url,
            str(path),
            frames=buffer.next_after,
            telemetry=self._pipeline_lookup(stream),
            stream_id=stream_id,
        )
        info = RecordingInfo(
            rid,
            stream_id,
            stream.name,
            recording.path,
            recording.sidecar_path,
            recording.mode,
            RecordingState.RECORDING,
            started,
        )

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            current = uow.streams.get(stream_id)
            if current is None:
                raise NotFoundError(f"stream {stream_id!r} was deleted")
            uow.recordings.add(info)
            uow.streams.update(replace(current, recording=True))
            scope.detail.update({"recording_id": rid, "path": info.path, "mode": info.mode})
            scope.emit(EventKind.RECORDING_STARTED, stream_id, {"name": stream.name, "recording_id": rid})

        try:
            await self._audit.write(actor=actor, action="recording.start", target_id=stream_id, work=work)
        except BaseException:
            worker.set_frame_tap(None)
            await asyncio.to_thread(recording.stop)
            raise
        self._active[stream_id] = _Active(info, recording)
        self._ensure_watcher()
        return info

    async def stop(self, stream_id: str, *, actor: str = actors.OPERATOR) -> RecordingInfo:
        active = self._active.get(stream_id)
        if active is None or active.stopping:
            error = ConflictError(f"stream {stream_id!r} is not recording", holder=stream_id)
            await self._refused(actor, "recording.stop", stream_id, error)
            raise error
        active.stopping = True
        final = await asyncio.to_thread(active.recording.stop)
        return await self._finish(stream_id, active, final, actor=actor, action="recording.stop")

    async def list(self, *, stream_id: str | None = None) -> builtins.list[RecordingInfo]:
        """Newest first; running recordings show their figures as of now."""
        stored = await self._store.run(lambda uow: uow.recordings.list(stream_id=stream_id))
        live = {a.info.id: a.recording.progress() for a in self._active.values()}
        return [_with_progress(r, live[r.id]) if r.id in live else r for r in stored]

    def active(self, stream_id: str) -> RecordingInfo | None:
        found = self._active.get(stream_id)
        return None if found is None else _with_progress(found.info, found.recording.progress())

    async def recover_after_restart(self) -> int:
        """Recordings the last run left running are ``interrupted``; their size is read from the file."""

        def work(uow: UnitOfWork) -> int:
            left = uow.recordings.list(states=[RecordingState.RECORDING])
            for info in left:
                path = Path(info.path)
                size = path.stat().st_size if path.exists() else 0
                uow.recordings.update(replace(info, state=RecordingState.INTERRUPTED, size_bytes=size))
                stream = uow.streams.get(info.stream_id) if info.stream_id else None
                if stream is not None and stream.recording:
                    uow.streams.update(replace(stream, recording=False))
            return len(left)

        return await self._store.run(work)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None
        for stream_id in list(self._active):
            try:
                await self.stop(stream_id, actor=actors.SYSTEM)
            except Exception:
                log.exception("stopping the recording of stream %s", stream_id)

    # ------------------------------------------------------------------------------------------ snapshots
    async def snapshot(self, stream_id: str, *, fmt: str = "png", actor: str = actors.OPERATOR) -> SnapshotInfo:
        stream = await self._stream_or_refuse(stream_id, actor, "stream.snapshot")
        try:
            suffix = SNAPSHOT_FORMATS.get(fmt.lower())
            if suffix is None:
                raise InvalidError(f"snapshot format {fmt!r} is not png or jpg", field="format")
            frame = self._pipeline.frame(stream_id)
            if frame is None:
                raise ConflictError(f"stream '{stream.name}' has no picture to take yet", holder=stream_id)
        except (InvalidError, ConflictError) as exc:
            await self._refused(actor, "stream.snapshot", stream_id, exc)
            raise
        path = self._dir / "snapshots" / f"{_slug(stream.name)}-{_stamp(frame.captured_at)}{suffix}"
        sidecar = _snapshot_sidecar(stream, frame)
        info = SnapshotInfo(
            stream_id, str(path), str(path.with_suffix(".json")), frame.captured_at, frame.width, frame.height
        )

        def work(_uow: UnitOfWork, scope: WriteScope) -> None:
            scope.detail.update({"path": info.path})
            scope.emit(EventKind.SNAPSHOT_TAKEN, stream_id, {"name": stream.name, "path": info.path})

        try:
            await asyncio.to_thread(self._snapshots.write, frame, str(path), sidecar)
        except (OSError, ValueError) as exc:
            error = InvalidError(f"could not write the snapshot: {exc}")
            await self._refused(actor, "stream.snapshot", stream_id, error)
            raise error from exc
        await self._audit.write(actor=actor, action="stream.snapshot", target_id=stream_id, work=work)
        return info

    # ------------------------------------------------------------------------------------------ internals
    async def _finish(
        self, stream_id: str, active: _Active, final: RecordingProgress, *, actor: str, action: str
    ) -> RecordingInfo:
        self._active.pop(stream_id, None)
        worker = self._pipeline.worker(stream_id)
        if worker is not None:
            worker.set_frame_tap(None)
        state = RecordingState.FAILED if final.error else RecordingState.FINISHED
        done = replace(_with_progress(active.info, final), state=state, stopped_at=self._clock(), error=final.error)

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            uow.recordings.update(done)
            stream = uow.streams.get(stream_id)
            if stream is not None:
                uow.streams.update(replace(stream, recording=False))
            scope.detail.update(
                {"recording_id": done.id, "frames": done.frames, "size_bytes": done.size_bytes, "error": done.error}
            )
            scope.emit(
                EventKind.RECORDING_STOPPED,
                stream_id,
                {"name": done.stream_name, "recording_id": done.id, "state": state.value, "error": done.error},
            )

        outcome = Outcome.FAILURE if final.error else Outcome.SUCCESS
        await self._audit.write(actor=actor, action=action, target_id=stream_id, work=work, outcome=outcome)
        return done

    def _pipeline_lookup(self, stream: VideoStream) -> TelemetryLookup | None:
        if stream.linked_session_id is None:
            return None
        session_id, hub = stream.linked_session_id, self._hub
        return lambda: hub.latest(session_id)

    def _ensure_watcher(self) -> None:
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="recording-watch")

    async def _watch(self) -> None:
        """A recording whose source went away ends by itself: record that as a failure by ``system``."""
        while self._active:
            await asyncio.sleep(self._watch_interval_s)
            for stream_id, active in list(self._active.items()):
                progress = active.recording.progress()
                if progress.finished and not active.stopping:
                    active.stopping = True
                    try:
                        await self._finish(stream_id, active, progress, actor=actors.SYSTEM, action="recording.fail")
                    except Exception:
                        log.exception("recording the end of %s", active.info.id)

    async def _stream_or_refuse(self, stream_id: str, actor: str, action: str) -> VideoStream:
        stream = await self._store.run(lambda uow: uow.streams.get(stream_id))
        if stream is None:
            error = NotFoundError(f"no video stream {stream_id!r} in profile '{self._store.profile.name}'")
            await self._refused(actor, action, stream_id, error)
            raise error
        return stream

    async def _refused(self, actor: str, action: str, target_id: str, exc: Exception) -> None:
        message = getattr(exc, "message", str(exc))
        await self._audit.record_failure(actor=actor, action=action, target_id=target_id, detail={"error": message})


def _with_progress(info: RecordingInfo, progress: RecordingProgress) -> RecordingInfo:
    return replace(
        info,
        frames=progress.frames,
        size_bytes=progress.size_bytes,
        duration_s=round(progress.duration_s, 3),
        error=progress.error or info.error,
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "stream"


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%S") + f"{at.microsecond // 1000:03d}Z"


def _snapshot_sidecar(stream: VideoStream, frame: VideoFrame) -> dict[str, Any]:
    telemetry = frame.telemetry
    sidecar: dict[str, Any] = {
        "time": frame.captured_at.isoformat(),
        "stream": {"id": stream.id, "name": stream.name, "url": stream.url},
        "width": frame.width,
        "height": frame.height,
        "session_id": stream.linked_session_id,
        "position": None,
        "attitude": None,
        "telemetry": None,
    }
    if telemetry is not None:
        sidecar["position"] = {
            "lat_deg": telemetry.lat_deg,
            "lon_deg": telemetry.lon_deg,
            "alt_msl_m": telemetry.alt_msl_m,
            "alt_rel_m": telemetry.alt_rel_m,
        }
        sidecar["attitude"] = {
            "roll_deg": telemetry.roll_deg,
            "pitch_deg": telemetry.pitch_deg,
            "yaw_deg": telemetry.yaw_deg,
            "heading_deg": telemetry.heading_deg,
        }
        sidecar["telemetry"] = telemetry.to_dict()
    return sidecar
