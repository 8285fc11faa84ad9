"""A status listener that keeps every status it is given, and sync waiting on worker conditions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from groundstation.domain.models import StreamState
from groundstation.domain.video import StreamStatus


class StatusLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: list[StreamStatus] = []

    def __call__(self, status: StreamStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    @property
    def states(self) -> list[StreamState]:
        with self._lock:
            return [s.state for s in self.statuses]

    def reached(self, *sequence: StreamState) -> bool:
        """True when ``sequence`` occurs in order (not necessarily adjacent) among the states seen."""
        remaining = list(sequence)
        for state in self.states:
            if remaining and state is remaining[0]:
                remaining.pop(0)
        return not remaining


def wait_for(predicate: Callable[[], object], within: float = 5.0, what: str = "condition") -> None:
    """Poll until ``predicate`` holds; fail after ``within`` seconds. Never a fixed sleep."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        time.sleep(0.02)
