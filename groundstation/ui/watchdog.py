"""How long the event loop was blocked: a fast timer that measures how late it fires.

Anything that holds the loop (a slow paint, a blocking call in a slot, a long asyncio callback) delays every
timer, so a 10 ms ``PreciseTimer`` that notes ``elapsed - interval`` on each timeout measures the freeze an
operator would feel. The figures feed ``--stats`` and the benchmark; the samples are kept in a bounded ring.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 10
MAX_SAMPLES = 60_000  # ten minutes at 100 Hz


class StallWatchdog(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._stalls: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._last: float | None = None
        self.max_stall_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fired)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._last = None

    def reset(self) -> None:
        """Forget what was measured (start-up work is not what a stats run wants to see)."""
        self._stalls.clear()
        self.max_stall_ms = 0.0
        if self._last is not None:
            self._last = time.perf_counter()

    def _fired(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            late = max(0.0, (now - self._last) * 1000.0 - self.interval_ms)
            self._stalls.append(late)
            self.max_stall_ms = max(self.max_stall_ms, late)
        self._last = now

    @property
    def samples(self) -> int:
        return len(self._stalls)

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of the measured lateness in ms; 0 before any sample."""
        if not self._stalls:
            return 0.0
        ordered = sorted(self._stalls)
        index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
        return ordered[index]
