"""Retention on a big profile: 1,000,000 stored telemetry samples (10 sessions), 900,000 of them past the cutoff.

Measures the prune as the runtime runs it (``RetentionService``, 5,000 rows per transaction, on the store's one
database thread) while a writer stores a batch of 10 samples every 50 ms beside it, as the telemetry hub does:
- the prune's wall time and rows per second;
- the longest any one chunk held SQLite's write lock (from its BEGIN IMMEDIATE to the end of its COMMIT);
- the longest the beside-writer waited for one batch (what the UI and the API would feel).
Baseline from the same run: the same rows deleted by one unbounded DELETE on a copy of the file, whose one
transaction holds the lock for the whole delete.

    .venv/bin/python bench/retention.py [--rows 1000000] [--keep 0.1] [--chunk 5000]

Prints the figures and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from groundstation.domain import ids
from groundstation.domain.models import AdapterKind, ConnectionSpec, DeviceSession, SessionState
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TelemetrySample
from groundstation.services.audit import AuditService
from groundstation.services.bus import EventBus
from groundstation.services.retention import RetentionService
from groundstation.services.settings import SettingsService
from groundstation.storage import FileProfileCatalog, SqliteProfileStore

SESSIONS = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 50_000


def _session(name: str) -> DeviceSession:
    return DeviceSession(
        id=ids.session_id(),
        name=name,
        adapter=AdapterKind.FAKE,
        connection=ConnectionSpec(url=f"fake://{name}", scheme="fake", device_key=f"fake:{name}"),
        state=SessionState.STOPPED,
        created_at=START,
    )


async def _fill(store: SqliteProfileStore, rows: int) -> list[DeviceSession]:
    sessions = [_session(f"v{i}") for i in range(SESSIONS)]

    def add_sessions(uow: UnitOfWork) -> None:
        for s in sessions:
            uow.sessions.add(s)

    await store.run(add_sessions)
    per_session = rows // SESSIONS
    for s in sessions:
        for first in range(0, per_session, BATCH):
            batch = [
                TelemetrySample(session_id=s.id, time=START + timedelta(seconds=i), battery_pct=80.0, alt_rel_m=10.0)
                for i in range(first, min(per_session, first + BATCH))
            ]
            await store.run(lambda uow, batch=batch: uow.telemetry.add_many(batch))
    return sessions


class LockHolds:
    """Per transaction that deleted rows: from the moment BEGIN IMMEDIATE returned (the write lock is held
    from there) to the end of its COMMIT. Other transactions (the writer's, settings reads) are left out."""

    def __init__(self, store: SqliteProfileStore) -> None:
        self.holds: list[float] = []
        self._engine = store.engine
        self._began = 0.0
        self._deleted = False
        event.listen(Session, "after_begin", self._begin)
        event.listen(Session, "after_commit", self._commit)
        event.listen(self._engine, "after_cursor_execute", self._execute)

    def _begin(self, *_args: Any) -> None:
        self._began = time.perf_counter()
        self._deleted = False

    def _execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._deleted = self._deleted or statement.startswith("DELETE")

    def _commit(self, *_args: Any) -> None:
        if self._deleted:
            self.holds.append(time.perf_counter() - self._began)

    def close(self) -> None:
        event.remove(Session, "after_begin", self._begin)
        event.remove(Session, "after_commit", self._commit)
        event.remove(self._engine, "after_cursor_execute", self._execute)


async def _writer(store: SqliteProfileStore, session_id: str, stop: asyncio.Event, waits: list[float]) -> None:
    """A 20 Hz writer of 10-sample batches (the hub writes one batch a second; this is denser, to sample
    the waits finely)."""
    while not stop.is_set():
        batch = [TelemetrySample(session_id=session_id, time=datetime.now(UTC)) for _ in range(10)]
        began = time.perf_counter()
        await store.run(lambda uow, batch=batch: uow.telemetry.add_many(batch))
        waits.append(time.perf_counter() - began)
        await asyncio.sleep(0.05)


async def main(rows: int, keep: float, chunk: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="gs-bench-retention-"))
    try:
        catalog = FileProfileCatalog(root)
        catalog.create("bench")
        store = catalog.open("bench")
        began = time.perf_counter()
        sessions = await _fill(store, rows)
        fill_s = time.perf_counter() - began
        per_session = rows // SESSIONS
        cutoff = START + timedelta(seconds=int(per_session * (1 - keep)))
        expected = SESSIONS * int(per_session * (1 - keep))
        now = cutoff + timedelta(days=30)  # retention.telemetry_days defaults to 30
        await store.close()

        # The baseline: one DELETE on a copy, one transaction.
        db = catalog.profile_dir("bench") / "profile.db"
        copy = root / "baseline.db"
        shutil.copy(db, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        baseline_rows = conn.execute(
            "DELETE FROM telemetry_samples WHERE time < ?", (cutoff.replace(tzinfo=None).isoformat(sep=" "),)
        ).rowcount
        conn.execute("COMMIT")
        baseline_s = time.perf_counter() - t
        conn.close()

        store = catalog.open("bench")
        bus = EventBus()
        audit = AuditService(store, bus, lambda: now)
        settings = SettingsService(store, audit)
        retention = RetentionService(store=store, audit=audit, settings=settings, clock=lambda: now, chunk_rows=chunk)
        holds = LockHolds(store)
        stop, waits = asyncio.Event(), []  # type: ignore[var-annotated]
        writer = asyncio.create_task(_writer(store, sessions[0].id, stop, waits))
        await asyncio.sleep(0.3)
        waits.clear()
        holds.holds.clear()
        t = time.perf_counter()
        report = await retention.prune()
        prune_s = time.perf_counter() - t
        stop.set()
        await writer
        holds.close()
        await store.close()
        deleted = next(r.rows for r in report.tables if r.name == "telemetry_samples")
        assert deleted == expected == baseline_rows, (deleted, expected, baseline_rows)
        waits.sort()
        return {
            "rows": rows,
            "deleted": deleted,
            "chunk_rows": chunk,
            "chunks": report.chunks,
            "fill_s": round(fill_s, 1),
            "prune_s": round(prune_s, 2),
            "rows_per_s": round(deleted / prune_s),
            "max_lock_hold_ms": round(max(holds.holds) * 1000, 1),
            "p50_lock_hold_ms": round(sorted(holds.holds)[len(holds.holds) // 2] * 1000, 1),
            "longest_chunk_ms_seen_by_loop": round(report.longest_chunk_s * 1000, 1),
            "writer_batches_during_prune": len(waits),
            "writer_max_wait_ms": round(waits[-1] * 1000, 1) if waits else None,
            "writer_p99_wait_ms": round(waits[int(0.99 * (len(waits) - 1))] * 1000, 1) if waits else None,
            "baseline_one_delete_s": round(baseline_s, 2),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=float, default=0.1, help="share of rows newer than the cutoff")
    parser.add_argument("--chunk", type=int, default=5_000)
    args = parser.parse_args()
    result = asyncio.run(main(args.rows, args.keep, args.chunk))
    print(f"filled {result['rows']:,} samples in {result['fill_s']} s")
    print(
        f"pruned {result['deleted']:,} in {result['prune_s']} s ({result['rows_per_s']:,} rows/s), "
        f"{result['chunks']} transactions of <= {result['chunk_rows']:,} rows"
    )
    print(
        f"write lock held per chunk: max {result['max_lock_hold_ms']} ms, p50 {result['p50_lock_hold_ms']} ms "
        f"(loop-side longest {result['longest_chunk_ms_seen_by_loop']} ms)"
    )
    print(
        f"a 20 Hz writer beside it: {result['writer_batches_during_prune']} batches, "
        f"max wait {result['writer_max_wait_ms']} ms, p99 {result['writer_p99_wait_ms']} ms"
    )
    baseline_ms = result["baseline_one_delete_s"] * 1000
    print(
        f"baseline, one DELETE in one transaction: lock held {result['baseline_one_delete_s']} s; "
        f"ratio of the longest chunk's hold to it: {result['max_lock_hold_ms'] / baseline_ms:.4f}"
    )
    print(json.dumps(result))
