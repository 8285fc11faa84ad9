"""Pages of a list read, served again while the store says nothing of their kind was written since.

A service keeps one ``PageCache`` per kind of record ("sessions", "streams"). The store's change count is taken
on the database thread before the read, so a page is never labelled with a count newer than its data; any
write through the store (this service's, the video pipeline's, a foreign-key action) moves the count and the
page is read again. A store that cannot count (read-only, or a writer beside the runtime) disables the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from groundstation.domain.ports import ChangeCountingStore, ProfileStore, UnitOfWork

T = TypeVar("T")

MAX_PAGES = 64


class PageCache(Generic[T]):
    def __init__(self, store: ProfileStore, records: str) -> None:
        self._store = store
        self._counter = store if isinstance(store, ChangeCountingStore) else None
        self._records = records
        self._pages: dict[Hashable, tuple[int, tuple[T, ...]]] = {}

    def _count(self) -> int | None:
        return self._counter.change_count(self._records) if self._counter is not None else None

    async def read(self, key: Hashable, query: Callable[[UnitOfWork], list[T]]) -> list[T]:
        """The page for ``key``: cached if still current, else ``query`` in one unit of work."""
        hit = self._pages.get(key)
        if hit is not None and hit[0] == self._count():
            return list(hit[1])

        def work(uow: UnitOfWork) -> tuple[int | None, list[T]]:
            return self._count(), query(uow)

        count, found = await self._store.run(work)
        if count is not None:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[key] = (count, tuple(found))
        return found
