"""Notices streams that stopped delivering while their worker is blocked inside ``read()``.

A worker cannot report its own stall: OpenCV's read blocks until the read timeout (seconds), and an
interrupted FFmpeg read leaves the capture unusable, so the timeout cannot be sliced finer. One shared thread
ticks over all running workers instead of a second thread per stream; it exits when no worker is left.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Watched(Protocol):
    def check_stall(self, now_mono: float) -> None: ...


class StallWatchdog:
    def __init__(self, period_s: float = 0.1) -> None:
        self._period_s = period_s
        self._lock = threading.Lock()
        self._watched: set[Watched] = set()
        self._thread: threading.Thread | None = None

    def register(self, worker: Watched) -> None:
        with self._lock:
            self._watched.add(worker)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="video-stall-watchdog", daemon=True)
                self._thread.start()

    def unregister(self, worker: Watched) -> None:
        with self._lock:
            self._watched.discard(worker)

    def _run(self) -> None:
        while True:
            time.sleep(self._period_s)
            with self._lock:
                if not self._watched:
                    self._thread = None
                    return
                watched = list(self._watched)
            now = time.monotonic()
            for worker in watched:
                worker.check_stall(now)


WATCHDOG = StallWatchdog()
