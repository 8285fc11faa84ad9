"""One opened profile: its engine, its lock, and the single thread that touches its database.

All database work of a profile runs on one dedicated thread, one unit of work at a time. The asyncio loop
only awaits the result, so a slow disk stalls a write, never the UI or the telemetry fan-out; and because
there is one writer thread, SQLite never has two of our own transactions competing for its write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from groundstation.domain.errors import UnavailableError
from groundstation.domain.models import Profile
from groundstation.domain.ports import UnitOfWork
from groundstation.storage.locking import ProfileLock
from groundstation.storage.repositories import SqlUnitOfWork

T = TypeVar("T")


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

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        if self._closed:
            raise UnavailableError(f"profile {self._profile.name!r} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run_unit, work)

    def _run_unit(self, work: Callable[[UnitOfWork], T]) -> T:
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
