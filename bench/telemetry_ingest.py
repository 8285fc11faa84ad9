"""Benchmark: a real tlog replayed at max speed through the whole pipeline, against pymavlink alone.

The pipeline is what a live vehicle goes through: parse, normalize, publish to the hub, persist (a
``Runtime`` on a temporary ``GROUNDSTATION_HOME``, the replay started as a session). The baseline is a
plain ``mavutil.mavlink_connection(path)`` loop over the same file in the same run; both are timed from
first byte to last message, best of ``--repeat``. Target: pipeline/baseline >= 0.7.

    .venv/bin/python bench/telemetry_ingest.py [--file ../shared/data/ardusub_small.tlog] [--repeat 3]
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

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = PROJECT.parent / "shared" / "data" / "ardusub_small.tlog"
TARGET_RATIO = 0.7


def baseline(path: Path) -> tuple[int, float]:
    from pymavlink import mavutil

    start = time.perf_counter()
    log = mavutil.mavlink_connection(str(path))
    messages = 0
    while (msg := log.recv_msg()) is not None:
        if msg.get_type() != "BAD_DATA":
            messages += 1
    log.close()
    return messages, time.perf_counter() - start


async def pipeline(path: Path, profile: str) -> tuple[int, float, int]:
    from groundstation.adapters.mavlink import MavlinkLink
    from groundstation.bootstrap import Runtime
    from groundstation.domain.models import AdapterKind

    rt = Runtime()
    if not rt.catalog.exists(profile):
        rt.catalog.create(profile)
    services = await rt.open_profile(profile)
    try:
        start = time.perf_counter()
        session = await services.sessions.start(
            f"bench {time.monotonic_ns()}", AdapterKind.MAVLINK, f"tlog://{path}?speed=max"
        )
        link = services.sessions.live_link(session.id)
        assert isinstance(link, MavlinkLink), session.last_error
        await link.wait_finished()
        await services.hub.flush()
        elapsed = time.perf_counter() - start
        messages = link.stats().messages_in
        await services.sessions.stop(session.id)
        persisted = await services.store.run(lambda uow: uow.telemetry.count(session.id))
    finally:
        await rt.close()
    return messages, elapsed, persisted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.file.resolve()
    with tempfile.TemporaryDirectory() as home:
        os.environ["GROUNDSTATION_HOME"] = home
        base_runs = [baseline(path) for _ in range(args.repeat)]
        pipe_runs = [asyncio.run(pipeline(path, "bench")) for _ in range(args.repeat)]
    base_msgs, base_s = min(base_runs, key=lambda r: r[1])
    pipe_msgs, pipe_s, persisted = min(pipe_runs, key=lambda r: r[1])
    base_rate, pipe_rate = base_msgs / base_s, pipe_msgs / pipe_s
    ratio = pipe_rate / base_rate
    print(f"file: {path.name}")
    print(f"pymavlink parse only:     {base_msgs} messages in {base_s:.3f} s = {base_rate:,.0f} msg/s")
    print(f"groundstation pipeline:   {pipe_msgs} messages in {pipe_s:.3f} s = {pipe_rate:,.0f} msg/s")
    print(f"  ({persisted} samples persisted)")
    print(f"ratio: {ratio:.2f} (target >= {TARGET_RATIO})  {'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")
    print(
        json.dumps(
            {
                "bench": "telemetry_ingest",
                "file": path.name,
                "baseline_msgs_per_s": round(base_rate),
                "pipeline_msgs_per_s": round(pipe_rate),
                "messages": pipe_msgs,
                "samples_persisted": persisted,
                "ratio": round(ratio, 3),
                "target": TARGET_RATIO,
            }
        )
    )
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
