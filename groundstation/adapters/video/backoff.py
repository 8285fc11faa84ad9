"""Reconnect delays: exponential with jitter, so that a fleet of cameras behind one dropped link does not
retry in lockstep and hammer the link the moment it returns."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, min_s: float = 1.0, max_s: float = 10.0, jitter: float = 0.25) -> None:
        if not 0 < min_s <= max_s:
            raise ValueError("backoff needs 0 < min_s <= max_s")
        self._min_s = min_s
        self._max_s = max_s
        self._jitter = jitter
        self._failures = 0
        self._random = random.Random()

    def next_delay(self) -> float:
        """The wait before the next attempt; each call doubles the base, up to ``max_s``."""
        base = min(self._max_s, self._min_s * 2 ** min(self._failures, 16))
        self._failures += 1
        spread = self._random.uniform(1 - self._jitter, 1 + self._jitter)
        return float(min(self._max_s, max(self._min_s, base * spread)))

    def reset(self) -> None:
        """After a success the next failure starts again from ``min_s``."""
        self._failures = 0
