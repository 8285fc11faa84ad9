"""A bounded asyncio queue that drops its oldest item when full, and counts what it dropped.

A slow subscriber must never slow the producer (the telemetry hub, the event bus) or grow memory without
bound; for live data the newest value is worth more than an old one, so the oldest goes first.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._items: deque[T] = deque(maxlen=maxsize)
        self._ready = asyncio.Event()
        self._closed = False
        self.dropped = 0
        self.delivered = 0

    @property
    def maxsize(self) -> int:
        return self._items.maxlen or 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, item: T) -> None:
        """Never blocks; called from the producer on the loop thread."""
        if self._closed:
            return
        if len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(item)
        self._ready.set()

    def get_nowait(self) -> T | None:
        if not self._items:
            return None
        self.delivered += 1
        item = self._items.popleft()
        if not self._items:
            self._ready.clear()
        return item

    async def get(self) -> T:
        """Wait for the next item; raises QueueClosed once closed and drained."""
        while True:
            item = self.get_nowait()
            if item is not None:
                return item
            if self._closed:
                raise QueueClosed
            await self._ready.wait()

    def close(self) -> None:
        self._closed = True
        self._ready.set()


class QueueClosed(Exception):
    """The queue was closed and holds nothing more."""
