"""The live side of a profile's video streams: one decode worker per enabled stream, and what they report.

Workers run in their own threads and report state changes from there; this service hops each report onto
the loop, stores the state on the stream (an audited write by ``system``, with an event), and stores a QoS
snapshot of every running stream every ``snapshot_interval_s`` so the history can be read later. It follows
the stream registry through the event bus: a stream created, enabled, re-pointed, relinked, disabled or
deleted starts, restarts or stops its worker, so nobody has to call the pipeline besides reading frames.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

from groundstation.domain import actors
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import StreamState, VideoStream
from groundstation.domain.ports import (
    Clock,
    ProfileStore,
    TelemetryLookup,
    UnitOfWork,
    VideoSourceFactory,
    VideoWorker,
)
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import QosSnapshot, StreamStatus, VideoFrame
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.bus import EventBus, EventSubscription
from groundstation.services.queues import DropOldestQueue
from groundstation.services.telemetry import TelemetryHub

log = logging.getLogger(__name__)

_FOLLOWED = {EventKind.STREAM_CREATED, EventKind.STREAM_UPDATED, EventKind.STREAM_DELETED}
_WARNING_STATES = frozenset({StreamState.STALLED, StreamState.RECONNECTING, StreamState.ERROR})


@dataclass(eq=False)
class _Running:
    stream: VideoStream
    worker: VideoWorker
    last_state: StreamState | None = None


class VideoPipeline:
    def __init__(
        self,
        *,
        store: ProfileStore,
        bus: EventBus,
        audit: AuditService,
        hub: TelemetryHub,
        factory: VideoSourceFactory,
        clock: Clock,
        snapshot_interval_s: float = 10.0,
        stop_timeout_s: float = 2.0,
    ) -> None:
        self._store = store
        self._bus = bus
        self._audit = audit
        self._hub = hub
        self._factory = factory
        self._clock = clock
        self._snapshot_interval_s = snapshot_interval_s
        self._stop_timeout_s = stop_timeout_s
        self._running: dict[str, _Running] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscription: EventSubscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Bounded like every queue here: state changes are a few per second per stream at most (reconnects
        # back off from 1 s), so a full queue means the database is stuck, and the oldest report goes first.
        self._writes: DropOldestQueue[tuple[str, StreamStatus]] = DropOldestQueue(1000)

    # ------------------------------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start a worker for every enabled stream and follow the registry from now on."""
        self._loop = asyncio.get_running_loop()
        self._subscription = self._bus.subscribe(_FOLLOWED)
        for stream in await self._store.run(lambda uow: uow.streams.list()):
            if stream.enabled and stream.state is not StreamState.IDLE:
                # Left "live" (or stalled...) by a run that ended without saying so: no worker runs it now.
                await self._store_status(stream.id, StreamStatus(StreamState.IDLE, stream.qos, stream.last_error))
            if stream.enabled:
                self._launch(stream)
        self._tasks = [
            self._loop.create_task(self._follow_registry(), name="video-registry"),
            self._loop.create_task(self._store_status_changes(), name="video-status"),
            self._loop.create_task(self._snapshot_forever(), name="video-qos"),
        ]

    async def close(self) -> None:
        """Stop every worker (joined off the loop, in parallel) and the background tasks."""
        if self._subscription is not None:
            self._subscription.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        running = list(self._running.values())
        self._running.clear()
        await asyncio.gather(*(self._join(r) for r in running))
        await self._drain_status_writes()
        # Nothing decodes these streams any more: say so, keeping their last figures and error.
        for r in running:
            last = r.worker.status()
            await self._store_status(r.stream.id, StreamStatus(StreamState.IDLE, last.qos, last.last_error))

    # ------------------------------------------------------------------------------------------ readers
    def frame(self, stream_id: str, after_seq: int = -1) -> VideoFrame | None:
        """The newest frame of a running stream if newer than ``after_seq`` (with its linked telemetry)."""
        running = self._running.get(stream_id)
        return None if running is None else running.worker.latest(after_seq)

    def status(self, stream_id: str) -> StreamStatus | None:
        """Live status of a running stream; None when no worker runs (read the stored stream instead)."""
        running = self._running.get(stream_id)
        return None if running is None else running.worker.status()

    def running_ids(self) -> frozenset[str]:
        return frozenset(self._running)

    def worker(self, stream_id: str) -> VideoWorker | None:
        """For the parts that attach to a worker (the GUI's output size, recording)."""
        running = self._running.get(stream_id)
        return None if running is None else running.worker

    async def snapshot_now(self) -> int:
        """Store a QoS snapshot of every running stream now; returns how many were stored."""
        now = self._clock()
        snapshots = []
        for stream_id, running in self._running.items():
            status = running.worker.status()
            snapshots.append(QosSnapshot(stream_id, now, status.state, status.qos, status.last_error))
        if not snapshots:
            return 0

        def work(uow: UnitOfWork) -> int:
            stored = 0
            for snap in snapshots:
                current = uow.streams.get(snap.stream_id)
                if current is None:
                    continue
                uow.qos_snapshots.add(snap)
                uow.streams.update(replace(current, qos=snap.qos))
                stored += 1
            return stored

        return await self._store.run(work)

    async def qos_history(self, stream_id: str, **window: Any) -> list[QosSnapshot]:
        return await self._store.run(lambda uow: uow.qos_snapshots.list(stream_id, **window))

    # ------------------------------------------------------------------------------------------ workers
    def _launch(self, stream: VideoStream) -> None:
        def on_status(status: StreamStatus, stream_id: str = stream.id) -> None:
            # Called on the worker's thread: hand over to the loop and return at once.
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._writes.put, (stream_id, status))

        lookup = self._telemetry_lookup(stream.linked_session_id)
        worker = self._factory.create_worker(stream.id, stream.url, on_status=on_status, telemetry=lookup)
        self._running[stream.id] = _Running(stream, worker)
        worker.start()

    def _telemetry_lookup(self, session_id: str | None) -> TelemetryLookup | None:
        if session_id is None:
            return None
        hub = self._hub

        def lookup() -> TelemetrySample | None:
            # A dict read, safe from the worker's thread; the sample itself is immutable.
            return hub.latest(session_id)

        return lookup

    async def _join(self, running: _Running) -> None:
        ended = await asyncio.to_thread(running.worker.stop, self._stop_timeout_s)
        if not ended:
            log.warning(
                "video worker of stream '%s' did not end within %s s", running.stream.name, self._stop_timeout_s
            )

    async def _restart(self, stream: VideoStream) -> None:
        running = self._running.pop(stream.id, None)
        if running is not None:
            await self._join(running)
        if stream.enabled:
            self._launch(stream)

    # ------------------------------------------------------------------------------------------ registry
    async def _follow_registry(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                await self._apply(event)
            except Exception:
                log.exception("video pipeline could not apply %s", event.kind)

    async def _apply(self, event: IntegrationEvent) -> None:
        stream_id = event.subject_id
        if stream_id is None:
            return
        if event.kind is EventKind.STREAM_DELETED:
            running = self._running.pop(stream_id, None)
            if running is not None:
                await self._join(running)
            return
        stream = await self._store.run(lambda uow: uow.streams.get(stream_id))
        if stream is None:
            return
        running = self._running.get(stream_id)
        if running is None:
            if stream.enabled:
                self._launch(stream)
            return
        old = running.stream
        if (stream.url, stream.linked_session_id, stream.enabled) != (old.url, old.linked_session_id, old.enabled):
            await self._restart(stream)
        else:
            running.stream = stream

    # ------------------------------------------------------------------------------------------ persistence
    async def _store_status_changes(self) -> None:
        while True:
            stream_id, status = await self._writes.get()
            await self._store_status(stream_id, status)

    async def _drain_status_writes(self) -> None:
        while (item := self._writes.get_nowait()) is not None:
            await self._store_status(*item)

    async def _store_status(self, stream_id: str, status: StreamStatus) -> None:
        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            current = uow.streams.get(stream_id)
            if current is None:
                scope.nothing_changed()  # deleted while the report was on its way
                return
            state = status.state if current.enabled else StreamState.DISABLED
            if current.state is state and current.last_error == status.last_error:
                scope.nothing_changed()
                return
            uow.streams.update(replace(current, state=state, qos=status.qos, last_error=status.last_error))
            data = {"name": current.name, "from": current.state.value, "to": state.value, "error": status.last_error}
            scope.detail.update(data)
            severity = Severity.WARNING if state in _WARNING_STATES else Severity.INFO
            scope.emit(EventKind.STREAM_STATE_CHANGED, stream_id, data, severity)

        try:
            await self._audit.write(actor=actors.SYSTEM, action="stream.state", target_id=stream_id, work=work)
        except Exception:
            log.exception("could not store the status of stream %s", stream_id)

    async def _snapshot_forever(self) -> None:
        while True:
            await asyncio.sleep(self._snapshot_interval_s)
            try:
                await self.snapshot_now()
            except Exception:
                log.exception("could not store the QoS snapshots")
