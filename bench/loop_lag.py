"""Event-loop lag probe shared by the benchmarks: how late a 10 ms sleep wakes up, sampled continuously."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LagFigures:
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, float]:
        return {"p50_ms": round(self.p50_ms, 3), "p99_ms": round(self.p99_ms, 3), "max_ms": round(self.max_ms, 3)}


async def measure_lag(seconds: float, period_s: float = 0.01) -> LagFigures:
    lags: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        before = time.perf_counter()
        await asyncio.sleep(period_s)
        lags.append(max(0.0, (time.perf_counter() - before - period_s) * 1000))
    lags.sort()
    return LagFigures(
        samples=len(lags),
        p50_ms=statistics.median(lags),
        p99_ms=lags[min(len(lags) - 1, int(len(lags) * 0.99))],
        max_ms=lags[-1],
    )
