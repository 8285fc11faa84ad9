"""The access log of one profile: an audit record for every API request a token of the profile makes.

Why buffered: the API serves tens of requests a second per profile, reads mostly; one transaction per
request would put a database write (and the one database thread) in front of every read. Records wait in
memory and go to the audit table in one transaction about once a second (``flush_interval_s``), through the
profile store like every other write, and once more when the profile closes, so a clean stop loses nothing.

Why bounded: a database that cannot keep up must not take the process's memory with it. Past
``max_pending`` waiting records, new ones are counted instead of kept (the records already waiting form an
unbroken stretch), and the next flush writes one ``api.access_dropped`` entry saying how many were lost and
over which time.

Access records are entries of the audit table (no table of their own): the GUI's audit viewer and
``GET /api/audit`` filter them by action and actor like any other entry. They are written beside, not
instead of, the entries of audited writes: a write through the API leaves its service's entry (what changed,
committed with the change) and one access record (who asked, how it was answered, how long it took).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from groundstation.domain import actors
from groundstation.domain.ids import audit_id
from groundstation.domain.models import AuditEntry, Outcome
from groundstation.domain.ports import Clock, ProfileStore, UnitOfWork

log = logging.getLogger(__name__)

HTTP_ACTION = "api.request"
WS_ACTION = "api.ws"
DROPPED_ACTION = "api.access_dropped"
MAX_PENDING = 20_000
FLUSH_INTERVAL_S = 1.0


class AccessLog:
    def __init__(
        self,
        store: ProfileStore,
        clock: Clock,
        *,
        flush_interval_s: float = FLUSH_INTERVAL_S,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._store = store
        self._clock = clock
        self.flush_interval_s = flush_interval_s
        self._max_pending = max_pending
        self._pending: list[AuditEntry] = []
        self._dropped = 0
        self._dropped_first: datetime | None = None
        self._dropped_last: datetime | None = None
        self._written = 0
        self._flusher: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def dropped(self) -> int:
        """Records lost to a full buffer and not yet reported by an ``api.access_dropped`` entry."""
        return self._dropped

    @property
    def written(self) -> int:
        return self._written

    def record(
        self,
        *,
        actor: str,
        action: str,
        target_id: str | None,
        outcome: Outcome,
        detail: dict[str, Any],
    ) -> None:
        """Keep one access record for the next flush; never waits (it runs on the request's path)."""
        if self._store.read_only:
            return  # a reader beside the runtime serves no API; the runtime keeps the log
        at = self._clock()
        if self._closed or len(self._pending) >= self._max_pending:
            self._count_dropped(at)
            if self._closed:
                log.warning("access record of %s after the profile closed: not kept", actor)
            return
        self._pending.append(AuditEntry(audit_id(), at, actor, action, target_id, outcome, detail))
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever(), name="access-log-flush")

    def _count_dropped(self, at: datetime) -> None:
        self._dropped += 1
        self._dropped_first = self._dropped_first or at
        self._dropped_last = at

    async def flush(self) -> int:
        """Write what waits (and the count of what was dropped) in one transaction; returns records written."""
        if not self._pending and not self._dropped:
            return 0
        batch, self._pending = self._pending, []
        dropped, first, last = self._dropped, self._dropped_first, self._dropped_last
        self._dropped, self._dropped_first, self._dropped_last = 0, None, None
        entries = batch + ([self._dropped_entry(dropped, first, last)] if dropped else [])

        def unit(uow: UnitOfWork) -> None:
            uow.audit.add_many(entries)

        try:
            await self._store.run(unit)
        except Exception:
            log.exception("access log batch of %d records not written; will retry", len(batch))
            self._put_back(batch, dropped, first, last)
            return 0
        self._written += len(batch)
        return len(batch)

    def _put_back(self, batch: list[AuditEntry], dropped: int, first: datetime | None, last: datetime | None) -> None:
        """A passing failure (a locked database) loses nothing it does not count: the batch goes back in
        front of what arrived meanwhile, within the bound, and what does not fit is counted as dropped."""
        room = max(0, self._max_pending - len(self._pending))
        lost = batch[room:]
        self._pending = batch[:room] + self._pending
        self._dropped += dropped + len(lost)
        times = [t for t in (first, last, self._dropped_first, self._dropped_last) if t is not None]
        times += [e.at for e in lost]
        self._dropped_first = min(times) if times else None
        self._dropped_last = max(times) if times else None

    def _dropped_entry(self, dropped: int, first: datetime | None, last: datetime | None) -> AuditEntry:
        detail = {
            "dropped": dropped,
            "first_at": first.isoformat() if first is not None else None,
            "last_at": last.isoformat() if last is not None else None,
            "max_pending": self._max_pending,
        }
        return AuditEntry(audit_id(), self._clock(), actors.SYSTEM, DROPPED_ACTION, None, Outcome.FAILURE, detail)

    async def _flush_forever(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
            if self._closed:
                return
            await self.flush()

    async def close(self) -> None:
        """Write what waits, then refuse more; call before the store closes. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._flusher is not None:
            # Not cancelled: a flush in progress finishes (cancelling it could lose or repeat its batch).
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None
        if not self._store.read_only:
            await self.flush()
