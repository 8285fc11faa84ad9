"""Receiving with deadlines from a ``MavChannel`` subscription; shared by the parameter and mission clients.

A subscription is an async iterator, usually an async generator: cancelling a pending ``anext`` on a timeout
would close the generator and lose every later message. So a pump task drains the subscription into a queue,
and waits with a deadline happen on the queue, where cancelling is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from groundstation.adapters.mavlink.channel import MavChannel


class Inbox:
    """The messages of one open subscription, taken one at a time with a deadline."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def put(self, message: Any) -> None:
        self._queue.put_nowait(message)

    async def next(self, deadline: float, match: Callable[[Any], bool] = lambda _m: True) -> Any | None:
        """The next message that ``match`` accepts, or ``None`` once the loop time passes ``deadline``."""
        loop = asyncio.get_running_loop()
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0 and self._queue.empty():
                return None
            try:
                message = self._queue.get_nowait() if not self._queue.empty() else None
                if message is None:
                    message = await asyncio.wait_for(self._queue.get(), remaining)
            except TimeoutError:
                return None
            if match(message):
                return message


@contextlib.asynccontextmanager
async def open_inbox(channel: MavChannel, *message_types: str) -> AsyncIterator[Inbox]:
    """Subscribe before sending anything, so that no answer can arrive unseen."""
    async with channel.subscribe(*message_types) as messages:
        inbox = Inbox()

        async def pump() -> None:
            async for message in messages:
                inbox.put(message)

        task = asyncio.create_task(pump())
        try:
            yield inbox
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def deadline_after(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds
