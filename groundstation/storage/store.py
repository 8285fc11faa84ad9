"""One opened profile: its engine, its lock, and the single thread that touches its database.

All database work of a profile runs on one dedicated thread, one unit of work at a time. The asyncio loop
only awaits the result, so a slow disk stalls a write, never the UI or the telemetry fan-out; and because
there is one writer thread, SQLite never has two of our own transactions competing for its write lock.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from groundstation.domain.errors import UnavailableError
from groundstation.domain.models import Profile
from groundstation.domain.ports import UnitOfWork
from groundstation.storage.locking import ProfileLock
from groundstation.storage.orm import Base
from groundstation.storage.repositories import SqlUnitOfWork

T = TypeVar("T")

# The kinds of record ``change_count`` answers for, and their tables.
_TABLES = {"sessions": "device_sessions", "streams": "video_streams", "tokens": "api_tokens"}
# The table a data-changing statement writes, from its SQL text: every write reaches the cursor, whether
# it came from a Core statement, an ORM flush or a ``text()`` (SQLite has no multi-table UPDATE/DELETE).
_WRITE = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[\"`\[]?(\w+)",
    re.IGNORECASE,
)
_READ = re.compile(r"^\s*(?:SELECT|PRAGMA|WITH|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|EXPLAIN)\b", re.IGNORECASE)


def _dependents() -> dict[str, frozenset[str]]:
    """Each table and the tables a write to it may change too (ON DELETE/UPDATE actions of foreign keys,
    followed transitively): deleting a session unlinks its streams without a statement on them."""
    direct: dict[str, set[str]] = {name: set() for name in Base.metadata.tables}
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            direct.setdefault(fk.column.table.name, set()).add(table.name)
    closed: dict[str, frozenset[str]] = {}
    for name in direct:
        seen, todo = {name}, [name]
        while todo:
            for child in direct.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closed[name] = frozenset(seen)
    return closed


_AFFECTS = _dependents()


class SqliteProfileStore:
    """A ``ProfileStore`` over one SQLite engine. Built by ``FileProfileCatalog.open``, which checks and
    migrates the database and takes the lock first; the store owns both from then on and frees them in
    ``close``."""

    def __init__(self, profile: Profile, engine: Engine, *, read_only: bool, lock: ProfileLock | None) -> None:
        self._profile = profile
        self._engine = engine
        self._read_only = read_only
        self._lock = lock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"db-{profile.name}")
        self._closed = False
        # Per table, how many units of work wrote to it (see ``change_count``).
        self._changes: dict[str, int] = {}
        self._touched: set[str] = set()
        event.listen(engine, "after_cursor_execute", self._on_execute)

    @property
    def profile(self) -> Profile:
        return self._profile

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def engine(self) -> Engine:
        """For storage's own tests and maintenance tools; services go through ``run``."""
        return self._engine

    def change_count(self, records: str) -> int | None:
        """A number that grows whenever a write to ``records`` ("sessions", "streams", "tokens") commits
        through this store, or None when this store cannot know: opened read-only beside the runtime that
        writes, or a lockless writer beside it (``open_beside_runtime``), which the runtime's writes bypass.
        Only the store holding the profile's lock counts; the one writer it does not see is such a lockless
        writer, and that one writes API tokens only (whose cache is short-lived for that reason).

        Equal numbers before and after a read mean nothing was written in between, so a read
        cached with the count it ran under is current while the count has not moved.

        The count moves when the writing statement runs and again after its unit ends (committed or rolled
        back), on the database thread and before the writer's ``run`` returns; a read unit that takes the
        count at its start therefore never labels old data with a newer count."""
        if self._read_only or self._lock is None:
            return None
        return self._changes.get(_TABLES[records], 0)

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if _READ.match(statement):
            return
        found = _WRITE.match(statement)
        # Anything else (DDL, a statement we cannot parse) counts as a write to every table.
        self._bump(_AFFECTS.get(found.group(1).lower(), frozenset({found.group(1).lower()})) if found else None)

    def _bump(self, tables: frozenset[str] | set[str] | None) -> None:
        for name in tables if tables is not None else set(_TABLES.values()) | set(self._changes):
            self._changes[name] = self._changes.get(name, 0) + 1
            self._touched.add(name)

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        if self._closed:
            raise UnavailableError(f"profile {self._profile.name!r} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run_unit, work)

    def _run_unit(self, work: Callable[[UnitOfWork], T]) -> T:
        self._touched = set()
        try:
            return self._run_in_transaction(work)
        finally:
            touched, self._touched = self._touched, set()
            if touched:
                self._bump(touched)  # again after the commit (or rollback): see ``change_count``
                self._touched = set()

    def _run_in_transaction(self, work: Callable[[UnitOfWork], T]) -> T:
        # expire_on_commit=False: nothing reads ORM rows after the commit, and expiring would only cost
        # reloads. Domain values are built from the rows inside the unit.
        with Session(self._engine, expire_on_commit=False, autoflush=False) as db:
            try:
                with db.begin():
                    result = work(SqlUnitOfWork(db))
                    if self._read_only and (db.new or db.dirty or db.deleted):
                        raise self._refused()
                    return result
            except OperationalError as exc:
                if self._read_only and "readonly" in str(exc.orig).replace("-", "").lower():
                    raise self._refused() from exc
                raise

    def _refused(self) -> UnavailableError:
        return UnavailableError(
            f"profile {self._profile.name!r} is open read-only (beside its runtime); writes go through the runtime"
        )

    async def close(self) -> None:
        """Idempotent. Waits for the unit in progress, then frees the connections, thread and lock."""
        if self._closed:
            return
        self._closed = True
        # Off the loop: shutting the executor down waits for the unit that may still be running.
        await asyncio.to_thread(self._shutdown)

    def close_sync(self) -> None:
        """``close`` for code without a running loop (CLI commands, tests, atexit)."""
        if self._closed:
            return
        self._closed = True
        self._shutdown()

    def _shutdown(self) -> None:
        try:
            # Dispose on the database thread: the pooled connections were made and used there.
            self._executor.submit(self._engine.dispose).result()
        finally:
            self._executor.shutdown(wait=True)
            if self._lock is not None:
                self._lock.release()
