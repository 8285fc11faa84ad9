"""Service calls started from Qt slots: scheduled as asyncio tasks on the shared loop, never awaited in a slot.

A slot must return at once (the window never freezes), so it hands the coroutine to ``TaskRunner.run``. The
runner keeps a reference until the task ends (a bare ``ensure_future`` can be garbage-collected mid-flight)
and turns a failure into a message for the operator: a ``GroundstationError``'s own message, or a short
"unexpected error" line for a bug, which is also logged with its traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from groundstation.domain.errors import GroundstationError

log = logging.getLogger(__name__)

T = TypeVar("T")

ErrorHandler = Callable[[GroundstationError | Exception], None]


class TaskRunner(QObject):
    """Runs coroutines for the UI; ``failed`` carries the message of every failure nobody handled."""

    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> asyncio.Task[T]:
        """Schedule ``coro``; ``on_done``/``on_error`` run on the loop when it ends (not if cancelled)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def finished(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            if exc is None:
                if on_done is not None:
                    on_done(done.result())
                return
            if not isinstance(exc, Exception):
                return
            if not isinstance(exc, GroundstationError):
                log.error("a UI task failed", exc_info=exc)
            if on_error is not None:
                on_error(exc)
            else:
                self.failed.emit(describe_error(exc))

        task.add_done_callback(finished)
        return task

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def describe_error(exc: BaseException) -> str:
    """One line for a person: our errors carry one; anything else is a bug and says so."""
    if isinstance(exc, GroundstationError):
        return exc.message
    return f"unexpected error: {exc!r} (see the log)"
