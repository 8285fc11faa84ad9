from __future__ import annotations

import asyncio

import pytest

from groundstation.services.queues import DropOldestQueue, QueueClosed


def test_full_queue_drops_the_oldest_and_counts_it() -> None:
    q: DropOldestQueue[int] = DropOldestQueue(3)
    for i in range(5):
        q.put(i)
    assert q.dropped == 2
    assert [q.get_nowait() for _ in range(3)] == [2, 3, 4]
    assert q.get_nowait() is None
    assert q.delivered == 3


async def test_get_waits_for_a_put_and_close_ends_the_wait() -> None:
    q: DropOldestQueue[str] = DropOldestQueue(2)
    waiter = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put("x")
    assert await asyncio.wait_for(waiter, 1) == "x"
    closing = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.close()
    with pytest.raises(QueueClosed):
        await asyncio.wait_for(closing, 1)


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        DropOldestQueue(0)
