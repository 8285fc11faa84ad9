"""The telemetry hub: the latest sample per session, live fan-out, and downsampled history on disk.

Adapters deliver at their own rate (10 Hz for FAKE, up to 50 Hz for MAVLink); the hub keeps only the newest
sample per session for readers that poll (the UI bridge, the API), pushes to subscribers through bounded
drop-oldest queues, and persists at most one sample per second per session, in one batched write per
second, so a fleet of fifty vehicles costs the database one small transaction a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from groundstation.domain.ports import ProfileStore
from groundstation.domain.telemetry import TelemetrySample
from groundstation.services.queues import DropOldestQueue, QueueClosed

log = logging.getLogger(__name__)

# Samples waiting for the database beyond this are dropped oldest-first (and counted): a database that
# cannot keep up must not take the process's memory with it.
MAX_PENDING = 20_000


class TelemetrySubscription:
    def __init__(self, hub: TelemetryHub, session_ids: frozenset[str] | None, maxsize: int) -> None:
        self._hub = hub
        self.session_ids = session_ids
        self.queue: DropOldestQueue[TelemetrySample] = DropOldestQueue(maxsize)

    @property
    def dropped(self) -> int:
        return self.queue.dropped

    async def get(self) -> TelemetrySample:
        return await self.queue.get()

    def close(self) -> None:
        self._hub.unsubscribe(self)

    async def __aiter__(self) -> AsyncIterator[TelemetrySample]:
        try:
            while True:
                yield await self.queue.get()
        except QueueClosed:
            return


@dataclass(frozen=True, slots=True)
class HubStats:
    published: int
    delivered: int
    dropped_by_subscribers: int
    persisted: int
    dropped_before_persist: int
    persist_failures: int


class TelemetryHub:
    def __init__(self, store: ProfileStore, *, persist_interval_s: float = 1.0, flush_interval_s: float = 1.0) -> None:
        self._store = store
        self._persist_interval_s = persist_interval_s
        self._flush_interval_s = flush_interval_s
        self._latest: dict[str, TelemetrySample] = {}
        self._last_bucket: dict[str, int] = {}
        self._pending: deque[TelemetrySample] = deque()
        self._subscriptions: list[TelemetrySubscription] = []
        self._flusher: asyncio.Task[None] | None = None
        self._published = 0
        self._persisted = 0
        self._dropped_pending = 0
        self._persist_failures = 0
        self._closed_subs_delivered = 0
        self._closed_subs_dropped = 0

    # ------------------------------------------------------------------------------------------ intake
    def publish(self, sample: TelemetrySample) -> None:
        """Take one sample from an adapter; never blocks and never waits on a subscriber."""
        self._published += 1
        sid = sample.session_id
        self._latest[sid] = sample
        for sub in self._subscriptions:
            if sub.session_ids is None or sid in sub.session_ids:
                sub.queue.put(sample)
        bucket = int(sample.time.timestamp() // self._persist_interval_s)
        if self._last_bucket.get(sid) != bucket:
            self._last_bucket[sid] = bucket
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()
                self._dropped_pending += 1
            self._pending.append(sample)
        if self._flusher is None and not self._store.read_only:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever(), name="telemetry-flush")

    def forget(self, session_id: str) -> None:
        """Drop what the hub holds for a deleted session, so a batch never refers to a missing row."""
        self._latest.pop(session_id, None)
        self._last_bucket.pop(session_id, None)
        self._pending = deque(s for s in self._pending if s.session_id != session_id)

    # ------------------------------------------------------------------------------------------ readers
    def latest(self, session_id: str) -> TelemetrySample | None:
        return self._latest.get(session_id)

    def subscribe(self, session_ids: set[str] | None = None, *, maxsize: int = 256) -> TelemetrySubscription:
        sub = TelemetrySubscription(self, frozenset(session_ids) if session_ids is not None else None, maxsize)
        self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, sub: TelemetrySubscription) -> None:
        sub.queue.close()
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)
            self._closed_subs_delivered += sub.queue.delivered
            self._closed_subs_dropped += sub.queue.dropped

    async def history(
        self,
        session_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        after: tuple[datetime, int] | None = None,
        before: tuple[datetime, int] | None = None,
    ) -> list[TelemetrySample]:
        """Persisted samples, oldest first (``newest_first``: newest first); includes what is still waiting
        for the next flush when it is newer than the stored samples read (so it belongs at the new end).
        ``after``/``before`` are the positions of ``TelemetryRepository.range``; a waiting sample counts as
        beyond one only when its time is strictly beyond the position's time."""
        stored = await self._store.run(
            lambda uow: uow.telemetry.range(
                session_id,
                since=since,
                until=until,
                limit=limit,
                newest_first=newest_first,
                after=after,
                before=before,
            )
        )
        newest = max((s.time for s in stored), default=None)
        waiting = sorted(
            (
                s
                for s in self._pending
                if s.session_id == session_id
                and (newest is None or s.time > newest)
                and (since is None or s.time >= since)
                and (until is None or s.time < until)
                and (after is None or s.time > after[0])
                and (before is None or s.time < before[0])
            ),
            key=lambda s: s.time,
            reverse=newest_first,
        )
        merged = waiting + stored if newest_first else stored + waiting
        return merged[:limit] if limit is not None else merged

    async def latest_stored(self, session_id: str) -> TelemetrySample | None:
        """The newest sample in the session's stored history (one indexed read), None when it has none: its
        last known position when this process has received nothing from it (a session ended before a
        restart). Samples still waiting for the flush are newer, and ``latest`` has them."""
        return await self._store.run(lambda uow: uow.telemetry.latest(session_id))

    def stats(self) -> HubStats:
        return HubStats(
            published=self._published,
            delivered=self._closed_subs_delivered + sum(s.queue.delivered for s in self._subscriptions),
            dropped_by_subscribers=self._closed_subs_dropped + sum(s.queue.dropped for s in self._subscriptions),
            persisted=self._persisted,
            dropped_before_persist=self._dropped_pending,
            persist_failures=self._persist_failures,
        )

    # ------------------------------------------------------------------------------------------ persistence
    async def flush(self) -> int:
        """Write what is pending in one transaction; returns how many samples were written."""
        if not self._pending:
            return 0
        batch = list(self._pending)
        self._pending.clear()
        try:
            await self._store.run(lambda uow: uow.telemetry.add_many(batch))
        except Exception:
            self._persist_failures += 1
            # Put the batch back (oldest first) so a passing failure (a locked database) loses nothing.
            self._pending.extendleft(reversed(batch))
            while len(self._pending) > MAX_PENDING:
                self._pending.popleft()
                self._dropped_pending += 1
            log.exception("telemetry batch of %d samples not persisted; will retry", len(batch))
            return 0
        self._persisted += len(batch)
        return len(batch)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval_s)
            await self.flush()

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if not self._store.read_only:
            await self.flush()
        for sub in list(self._subscriptions):
            self.unsubscribe(sub)
