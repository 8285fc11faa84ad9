"""Benchmark: N FAKE vehicles at 10 Hz through the headless runtime's telemetry pipeline.

Prints samples/s delivered to a subscriber, event-loop lag p50/p99/max and RSS, then the same figures for
an idle loop measured in the same run, and the ratios between them (the machines are shared and noisy, so
only figures from one run are compared). Target: 50 vehicles with loop lag p99 < 20 ms.

    .venv/bin/python bench/telemetry_hub.py --vehicles 50 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loop_lag import LagFigures, measure_lag

from groundstation.bootstrap import Runtime
from groundstation.domain.models import AdapterKind, SessionState

TARGET_P99_MS = 20.0


def rss_mib() -> float:
    return float(psutil.Process().memory_info().rss) / (1024 * 1024)


async def run(vehicles: int, seconds: float) -> dict[str, object]:
    idle = await measure_lag(min(seconds, 10.0))
    idle_rss = rss_mib()

    runtime = Runtime()
    runtime.catalog.create("bench")
    services = await runtime.open_profile("bench")
    for i in range(vehicles):
        await services.sessions.start(f"v{i:03d}", AdapterKind.FAKE, f"fake://v{i:03d}?seed={i}&rate_hz=10")
    subscription = services.hub.subscribe(maxsize=4096)
    delivered = 0

    async def consume() -> None:
        nonlocal delivered
        async for _sample in subscription:
            delivered += 1

    consumer = asyncio.create_task(consume())
    # Let every vehicle come up before measuring.
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        live = await services.sessions.list(states=[SessionState.ACTIVE])
        if len(live) == vehicles:
            break
        await asyncio.sleep(0.1)
    delivered = 0
    started = time.perf_counter()
    loaded = await measure_lag(seconds)
    elapsed = time.perf_counter() - started
    loaded_rss = rss_mib()
    stats = services.hub.stats()
    subscription.close()
    await consumer
    await runtime.close()
    return {
        "vehicles": vehicles,
        "seconds": round(elapsed, 2),
        "samples_per_s_delivered": round(delivered / elapsed, 1),
        "samples_per_s_expected": vehicles * 10,
        "subscriber_drops": stats.dropped_by_subscribers,
        "persisted": stats.persisted,
        "loop_lag_loaded": loaded.as_dict(),
        "loop_lag_idle": idle.as_dict(),
        "p99_ratio_loaded_to_idle": _ratio(loaded, idle),
        "rss_mib_loaded": round(loaded_rss, 1),
        "rss_mib_idle": round(idle_rss, 1),
        "target_p99_ms": TARGET_P99_MS,
        "target_met": loaded.p99_ms < TARGET_P99_MS,
    }


def _ratio(loaded: LagFigures, idle: LagFigures) -> float:
    return round(loaded.p99_ms / idle.p99_ms, 2) if idle.p99_ms > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gs-bench-") as home:
        os.environ["GROUNDSTATION_HOME"] = home
        result = asyncio.run(run(args.vehicles, args.seconds))
    lag, idle = result["loop_lag_loaded"], result["loop_lag_idle"]
    print(f"vehicles: {result['vehicles']}  over {result['seconds']} s")
    print(f"samples/s delivered: {result['samples_per_s_delivered']} (expected {result['samples_per_s_expected']})")
    print(f"loop lag loaded  p50/p99/max ms: {lag['p50_ms']} / {lag['p99_ms']} / {lag['max_ms']}")  # type: ignore[index]
    print(f"loop lag idle    p50/p99/max ms: {idle['p50_ms']} / {idle['p99_ms']} / {idle['max_ms']}")  # type: ignore[index]
    print(f"p99 ratio loaded/idle: {result['p99_ratio_loaded_to_idle']}")
    print(f"RSS MiB loaded/idle: {result['rss_mib_loaded']} / {result['rss_mib_idle']}")
    print(f"target p99 < {TARGET_P99_MS} ms: {'met' if result['target_met'] else 'NOT met'}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
