"""Newest-first reads and keyset positions of the audit, telemetry and event repositories, over a real
profile: pages walk a whole set without gaps or repeats, also through runs of equal times; ``latest`` is one
indexed read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from groundstation.domain import ids
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import AuditEntry, Outcome
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TelemetrySample
from groundstation.storage import FileProfileCatalog, SqliteProfileStore
from tests.integration.storage.conftest import T0, adding, make_session

# Seconds of each entry: runs of equal times, so pages end inside them.
SECONDS = [0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 5, 6, 7, 7, 8]


def _entries(actor: str = "operator") -> list[AuditEntry]:
    return [
        AuditEntry(ids.audit_id(), T0 + timedelta(seconds=s), actor, "session.create", None, Outcome.SUCCESS, {"i": i})
        for i, s in enumerate(SECONDS)
    ]


async def test_audit_pages_newest_first_and_oldest_first_through_equal_times(store: SqliteProfileStore) -> None:
    entries = _entries()
    await store.run(adding(*entries, *_entries(actor="someone.else")))
    newest = sorted(entries, key=lambda e: (e.at, e.id), reverse=True)

    for page_size in (1, 3, 4, 7):
        walked: list[AuditEntry] = []
        while True:
            last = (walked[-1].at, walked[-1].id) if walked else None
            page = await store.run(
                lambda uow, last=last, n=page_size: uow.audit.list(
                    actor="operator", newest_first=True, before=last, limit=n
                )
            )
            if not page:
                break
            walked.extend(page)
        assert walked == newest, page_size

        walked = []
        while True:
            last = (walked[-1].at, walked[-1].id) if walked else None
            page = await store.run(
                lambda uow, last=last, n=page_size: uow.audit.list(actor="operator", after=last, limit=n)
            )
            if not page:
                break
            walked.extend(page)
        assert walked == newest[::-1], page_size

    # The default stays oldest first, and newest first with a limit keeps the latest.
    assert await store.run(lambda uow: uow.audit.list(actor="operator", limit=3)) == newest[::-1][:3]
    latest = await store.run(lambda uow: uow.audit.list(actor="operator", newest_first=True, limit=2))
    assert [e.detail["i"] for e in latest] == [e.detail["i"] for e in newest[:2]]
    # Bounds combine with since/until.
    window = await store.run(
        lambda uow: uow.audit.list(
            actor="operator",
            newest_first=True,
            since=T0 + timedelta(seconds=2),
            until=T0 + timedelta(seconds=5),
            before=(newest[8].at, newest[8].id),
        )
    )
    assert window == [e for e in newest[9:] if T0 + timedelta(seconds=2) <= e.at < T0 + timedelta(seconds=5)]


def _samples(session_id: str) -> list[TelemetrySample]:
    return [TelemetrySample(session_id, T0 + timedelta(seconds=s), alt_rel_m=float(i)) for i, s in enumerate(SECONDS)]


def _position(walked: list[TelemetrySample]) -> tuple[datetime, int] | None:
    """What the API's cursor holds: the last time and how many samples at that time were returned."""
    if not walked:
        return None
    last = walked[-1].time
    return last, sum(1 for s in walked if s.time == last)


async def test_telemetry_pages_both_ways_through_equal_times(store: SqliteProfileStore) -> None:
    a, b = make_session("a"), make_session("b")
    await store.run(adding(a, b))
    samples = _samples(a.id)
    await store.run(lambda uow: uow.telemetry.add_many(samples))
    await store.run(lambda uow: uow.telemetry.add_many(_samples(b.id)))
    # Equal times keep the order they were stored in (alt_rel_m counts up in insertion order).
    oldest = sorted(samples, key=lambda s: s.time)

    assert await store.run(lambda uow: uow.telemetry.range(a.id)) == oldest
    assert await store.run(lambda uow: uow.telemetry.range(a.id, newest_first=True)) == oldest[::-1]
    for page_size in (1, 2, 3, 5, 6):
        for newest_first in (True, False):
            walked: list[TelemetrySample] = []
            while True:
                position = _position(walked)
                page = await store.run(
                    lambda uow, p=position, n=page_size, d=newest_first: uow.telemetry.range(
                        a.id, newest_first=d, limit=n, before=p if d else None, after=None if d else p
                    )
                )
                assert len(page) <= page_size
                if not page:
                    break
                walked.extend(page)
            assert walked == (oldest[::-1] if newest_first else oldest), (page_size, newest_first)

    # A position outside since/until reads only the other side of it, within the window.
    five = T0 + timedelta(seconds=5)
    windowed = await store.run(
        lambda uow: uow.telemetry.range(a.id, newest_first=True, until=five, before=(five, 2), limit=100)
    )
    assert windowed == [s for s in oldest[::-1] if s.time < five]
    after_ties = await store.run(lambda uow: uow.telemetry.range(a.id, after=(five, 3), limit=4))
    assert [s.alt_rel_m for s in after_ties] == [14.0, 15.0, 16.0, 17.0]


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement SQLAlchemy sends to a database while the block runs (any engine of this process)."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def test_latest_is_the_newest_sample_in_one_indexed_read(
    store: SqliteProfileStore, catalog: FileProfileCatalog
) -> None:
    a, b, empty = make_session("a"), make_session("b"), make_session("empty")
    await store.run(adding(a, b, empty))
    samples = _samples(a.id)
    await store.run(lambda uow: uow.telemetry.add_many(samples))
    later_b = [TelemetrySample(b.id, T0 + timedelta(hours=1), alt_rel_m=-1.0)]
    await store.run(lambda uow: uow.telemetry.add_many(later_b))

    with _statements() as seen:
        latest = await store.run(lambda uow: uow.telemetry.latest(a.id))
    assert latest == samples[-1]  # the one at 8 s; session b's later sample is not a's
    reads = [(sql, params) for sql, params in seen if "telemetry_samples" in sql]
    assert len(reads) == 1, reads
    assert await store.run(lambda uow: uow.telemetry.latest(empty.id)) is None
    assert await store.run(lambda uow: uow.telemetry.latest("ses_unknown")) is None

    # Among equal times the last stored wins, as in newest-first ranges.
    tie = [TelemetrySample(a.id, samples[-1].time, alt_rel_m=99.0)]
    await store.run(lambda uow: uow.telemetry.add_many(tie))
    assert await store.run(lambda uow: uow.telemetry.latest(a.id)) == tie[0]

    sql, params = reads[0]
    with sqlite3.connect(catalog.profile_dir("test") / "profile.db") as db:
        plan = " ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "USING INDEX ix_telemetry_samples_session_id_time (session_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


async def test_events_read_newest_first_before_a_seq(store: SqliteProfileStore) -> None:
    def add_seven(uow: UnitOfWork) -> list[IntegrationEvent]:
        return [
            uow.events.add(IntegrationEvent(ids.event_id(), T0, EventKind.SESSION_CREATED, None, Severity.INFO, {}))
            for _ in range(7)
        ]

    stored = await store.run(add_seven)
    assert await store.run(lambda uow: uow.events.list(newest_first=True)) == stored[::-1]
    assert await store.run(lambda uow: uow.events.list(newest_first=True, limit=3)) == stored[:-4:-1]
    before = stored[4].seq
    assert await store.run(lambda uow: uow.events.list(newest_first=True, before_seq=before, limit=2)) == [
        stored[3],
        stored[2],
    ]
    assert await store.run(lambda uow: uow.events.list(before_seq=before, after_seq=stored[1].seq)) == stored[2:4]
