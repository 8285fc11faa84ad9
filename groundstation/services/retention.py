"""Retention: the history a profile keeps, so a laptop that runs for weeks neither fills its disk nor slows
its queries.

What is pruned, each after its own setting (``retention.*_days``, read at every pass; 0 keeps forever):
stored telemetry samples, integration events, video QoS snapshots, and the API's access records (audit
entries of the actions ``api.request``, ``api.ws`` and ``api.access_dropped``, which arrive by the hundred a
second under load). What is never pruned: the audit trail of writes (every other action: who started,
stopped, changed or deleted what), because it is the accountability record; sessions and streams
themselves; recordings (rows and files), which the operator deletes.

Why in chunks: the profile has one database thread and SQLite one write lock. A prune of a month of
telemetry in one transaction would hold both for seconds, and every write behind it (the 1 Hz telemetry
batch, an operator's command, the access log) would wait. Each chunk deletes at most ``chunk_rows`` rows in
its own unit of work through ``store.run``, so other units queued meanwhile run between two chunks.

Why audited: deleting records is a change like any other. Each pass that deleted anything writes one
``retention.prune`` entry (counts and cutoffs per table) after its last chunk; a pass that fails or is
stopped part way still records what it did delete.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groundstation.domain import actors
from groundstation.domain.models import Outcome
from groundstation.domain.ports import Clock, ProfileStore, UnitOfWork
from groundstation.services.access_log import DROPPED_ACTION, HTTP_ACTION, WS_ACTION
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.settings import SettingsService

log = logging.getLogger(__name__)

PRUNE_ACTION = "retention.prune"
ACCESS_ACTIONS = (HTTP_ACTION, WS_ACTION, DROPPED_ACTION)
CHUNK_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class RetentionSchedule:
    """When the runtime prunes: once ``first_after_s`` after the profile opens (not at once: recovery and
    the video workers start first), then every ``every_s``."""

    first_after_s: float = 30.0
    every_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    setting: str
    count: Callable[[UnitOfWork, datetime], int]
    delete: Callable[[UnitOfWork, datetime, int], int]


RULES: tuple[_Rule, ...] = (
    _Rule(
        "telemetry_samples",
        "retention.telemetry_days",
        lambda uow, cutoff: uow.telemetry.count_before(cutoff),
        lambda uow, cutoff, limit: uow.telemetry.delete_before(cutoff, limit),
    ),
    _Rule(
        "integration_events",
        "retention.events_days",
        lambda uow, cutoff: uow.events.count_before(cutoff),
        lambda uow, cutoff, limit: uow.events.delete_before(cutoff, limit),
    ),
    _Rule(
        "stream_qos_snapshots",
        "retention.qos_days",
        lambda uow, cutoff: uow.qos_snapshots.count_before(cutoff),
        lambda uow, cutoff, limit: uow.qos_snapshots.delete_before(cutoff, limit),
    ),
    _Rule(
        "access_records",
        "retention.access_days",
        lambda uow, cutoff: uow.audit.count_actions_before(ACCESS_ACTIONS, cutoff),
        lambda uow, cutoff, limit: uow.audit.delete_actions_before(ACCESS_ACTIONS, cutoff, limit),
    ),
)


@dataclass(frozen=True, slots=True)
class TablePrune:
    name: str
    days: int
    cutoff: datetime | None
    """Rows older than this go; None when ``days`` is 0 (kept forever)."""
    rows: int
    """Deleted, or in a dry run, that would be."""


@dataclass(frozen=True, slots=True)
class PruneReport:
    tables: tuple[TablePrune, ...]
    dry_run: bool
    chunks: int = 0
    longest_chunk_s: float = 0.0
    """The longest single chunk's unit of work, as the loop waited for it (an upper bound of how long it
    held the write lock)."""
    finished: bool = True
    """False when the pass was stopped (the profile closing) before every old row was gone."""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def detail(self) -> dict[str, Any]:
        """What the ``retention.prune`` audit entry says."""
        return {
            "deleted": {t.name: t.rows for t in self.tables if t.cutoff is not None},
            "cutoffs": {t.name: t.cutoff.isoformat() for t in self.tables if t.cutoff is not None},
            "kept_forever": [t.name for t in self.tables if t.cutoff is None],
            "chunks": self.chunks,
            "longest_chunk_ms": round(self.longest_chunk_s * 1000, 1),
            "finished": self.finished,
        }


class RetentionService:
    def __init__(
        self,
        *,
        store: ProfileStore,
        audit: AuditService,
        settings: SettingsService,
        clock: Clock,
        schedule: RetentionSchedule | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        if chunk_rows <= 0:
            raise ValueError(f"chunk_rows must be positive, got {chunk_rows}")
        self._store = store
        self._audit = audit
        self._settings = settings
        self._clock = clock
        self.schedule = schedule if schedule is not None else RetentionSchedule()
        self.chunk_rows = chunk_rows
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        self.last_report: PruneReport | None = None

    async def _plan(self) -> list[tuple[_Rule, int, datetime | None]]:
        """Each table's rule, its setting's days and the cutoff they give now."""
        now = self._clock()
        planned = []
        for rule in RULES:
            days = int(await self._settings.get(rule.setting))
            planned.append((rule, days, now - timedelta(days=days) if days > 0 else None))
        return planned

    async def prune(self, *, dry_run: bool = False, actor: str = actors.SYSTEM) -> PruneReport:
        """One pass over every table. A dry run counts in one read and changes nothing (it works on a
        read-only store); a real one deletes chunk by chunk and audits what it deleted as ``actor``."""
        planned = await self._plan()
        if dry_run:

            def count(uow: UnitOfWork) -> tuple[TablePrune, ...]:
                return tuple(
                    TablePrune(rule.name, days, cutoff, rule.count(uow, cutoff) if cutoff is not None else 0)
                    for rule, days, cutoff in planned
                )

            return PruneReport(await self._store.run(count), dry_run=True)
        deleted = {rule.name: 0 for rule, _days, _cutoff in planned}
        chunks, longest, finished = 0, 0.0, True
        try:
            for rule, _days, cutoff in planned:
                while finished and cutoff is not None:
                    if self._stopping.is_set():
                        finished = False
                        break
                    began = time.perf_counter()
                    rows = await self._store.run(self._chunk(rule, cutoff))
                    chunks += 1
                    longest = max(longest, time.perf_counter() - began)
                    deleted[rule.name] += rows
                    if rows < self.chunk_rows:
                        break
        except Exception as exc:
            report = self._report(planned, deleted, chunks, longest, finished=False)
            if report.rows:
                try:
                    await self._record(report, actor, Outcome.FAILURE, error=repr(exc))
                except Exception:
                    # The database is failing as a whole; the caller gets the first error, the log the rest.
                    log.exception("could not audit a failed prune that deleted %s", report.detail()["deleted"])
            raise
        report = self._report(planned, deleted, chunks, longest, finished=finished)
        if report.rows:
            await self._record(report, actor, Outcome.SUCCESS)
        return report

    def _chunk(self, rule: _Rule, cutoff: datetime) -> Callable[[UnitOfWork], int]:
        """One unit of work: at most ``chunk_rows`` of ``rule``'s table."""
        return lambda uow: rule.delete(uow, cutoff, self.chunk_rows)

    @staticmethod
    def _report(
        planned: list[tuple[_Rule, int, datetime | None]],
        deleted: dict[str, int],
        chunks: int,
        longest: float,
        *,
        finished: bool,
    ) -> PruneReport:
        tables = tuple(TablePrune(rule.name, days, cutoff, deleted[rule.name]) for rule, days, cutoff in planned)
        return PruneReport(tables, dry_run=False, chunks=chunks, longest_chunk_s=longest, finished=finished)

    async def _record(self, report: PruneReport, actor: str, outcome: Outcome, error: str | None = None) -> None:
        detail = report.detail() | ({"error": error} if error is not None else {})

        def nothing_more(_uow: UnitOfWork, _scope: WriteScope) -> None:
            """The deletions committed chunk by chunk; this unit is the entry that accounts for them."""

        await self._audit.write(
            actor=actor, action=PRUNE_ACTION, target_id=None, work=nothing_more, detail=detail, outcome=outcome
        )

    # ------------------------------------------------------------------------------------- the schedule
    @property
    def running(self) -> bool:
        """The schedule's task is alive (started and not yet closed)."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Prune after ``schedule.first_after_s``, then every ``schedule.every_s``, until ``close``."""
        if self._task is None and not self._stopping.is_set():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"retention-{self._store.profile.name}"
            )

    async def _run(self) -> None:
        delay = self.schedule.first_after_s
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if self._stopping.is_set():
                return
            try:
                report = await self.prune()
            except Exception:
                # A locked or failing database: the next pass tries again; what was deleted is audited.
                log.exception("retention pass on profile %s failed", self._store.profile.name)
            else:
                self.last_report = report
                if report.rows:
                    log.info("retention on profile %s: %s", self._store.profile.name, report.detail()["deleted"])
            self.passes += 1
            delay = self.schedule.every_s

    async def close(self) -> None:
        """Stop the schedule; a pass in progress ends after its current chunk and records what it deleted.
        Before the store closes. Idempotent."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
