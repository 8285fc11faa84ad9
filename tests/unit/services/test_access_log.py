"""The access-log buffer: bounded, counts what it drops and says so in one entry, loses nothing on a failed write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from groundstation.domain.models import AuditEntry, Outcome, Profile
from groundstation.services.access_log import DROPPED_ACTION, HTTP_ACTION, AccessLog

T = TypeVar("T")


@dataclass
class _Audit:
    rows: list[AuditEntry] = field(default_factory=list)
    batches: int = 0

    def add_many(self, entries: list[AuditEntry]) -> None:
        self.batches += 1
        self.rows.extend(entries)


@dataclass
class _Store:
    """Just enough of a ProfileStore: a unit of work whose audit repository keeps rows in a list."""

    audit: _Audit = field(default_factory=_Audit)
    failing: bool = False
    read_only: bool = False
    profile: Profile = field(default_factory=lambda: Profile("unit", "/nowhere"))

    async def run(self, work: Callable[[Any], T]) -> T:
        if self.failing:
            raise OSError("disk I/O error")
        return work(self)

    async def close(self) -> None:
        return None


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=10)
        return self.now


def _record(log: AccessLog, n: int) -> None:
    log.record(actor="api:t", action=HTTP_ACTION, target_id=None, outcome=Outcome.SUCCESS, detail={"n": n})


async def test_an_overflow_is_counted_and_written_as_one_entry_after_the_records_that_fit() -> None:
    store = _Store()
    log = AccessLog(store, _Clock(), flush_interval_s=3600, max_pending=3)
    for n in range(5):
        _record(log, n)
    assert (log.pending, log.dropped) == (3, 2)
    assert await log.flush() == 3
    assert store.audit.batches == 1  # the records and the count, one transaction
    assert [r.detail.get("n") for r in store.audit.rows[:3]] == [0, 1, 2]
    summary = store.audit.rows[3]
    assert (summary.action, summary.actor, summary.outcome) == (DROPPED_ACTION, "system", Outcome.FAILURE)
    assert summary.detail["dropped"] == 2
    assert summary.detail["first_at"] < summary.detail["last_at"]
    # Reported once: the next flush has nothing to say.
    assert (log.dropped, await log.flush(), len(store.audit.rows)) == (0, 0, 4)
    await log.close()


async def test_a_failed_write_keeps_the_batch_within_the_bound_and_counts_the_rest() -> None:
    store = _Store(failing=True)
    log = AccessLog(store, _Clock(), flush_interval_s=3600, max_pending=3)
    for n in range(2):
        _record(log, n)
    assert await log.flush() == 0
    _record(log, 2)
    _record(log, 3)  # the batch came back first, so this one no longer fits
    assert (log.pending, log.dropped) == (3, 1)
    store.failing = False
    await log.close()
    assert [r.detail.get("n") for r in store.audit.rows] == [0, 1, 2, None]
    assert store.audit.rows[-1].detail["dropped"] == 1


async def test_close_writes_what_waits_and_refuses_more() -> None:
    store = _Store()
    log = AccessLog(store, _Clock(), flush_interval_s=3600)
    _record(log, 0)
    await log.close()
    assert [r.detail["n"] for r in store.audit.rows] == [0]
    _record(log, 1)
    assert (log.pending, log.dropped) == (0, 1)
