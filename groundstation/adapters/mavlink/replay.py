"""Replaying a ``.tlog`` through a link: read off the loop, paced by the recorded timestamps.

The reader runs in a worker thread a batch at a time, and the next batch is read while the link digests
the current one. ``speed`` multiplies log time (1 is real time); None replays as fast as the pipeline
takes it, yielding to the loop between batches so a replay never starves the rest of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundstation.adapters.mavlink.tlog import TlogReader

BATCH = 1000
# Paced replays hand over messages whose time has come in small slices, so sleeps stay short and exact.
_PACED_SLICE = 200


@dataclass(frozen=True, slots=True)
class ReplayResult:
    records: int
    first_t: float | None
    last_t: float | None
    wall_s: float


async def replay_tlog(
    path: Path, speed: float | None, deliver: Callable[[list[tuple[float, Any]]], None]
) -> ReplayResult:
    loop = asyncio.get_running_loop()
    reader = TlogReader(path)
    started = loop.time()
    records = 0
    first_t: float | None = None
    last_t: float | None = None
    base: tuple[float, float] | None = None  # (loop time, log time) pacing is measured from
    pending: asyncio.Future[list[tuple[float, Any]]] | None = asyncio.ensure_future(
        asyncio.to_thread(reader.read_batch, BATCH)
    )
    try:
        while pending is not None:
            batch = await pending
            pending = None if reader.eof else asyncio.ensure_future(asyncio.to_thread(reader.read_batch, BATCH))
            if not batch:
                continue
            records += len(batch)
            if first_t is None:
                first_t = batch[0][0]
            last_t = batch[-1][0]
            if speed is None:
                deliver(batch)
                await asyncio.sleep(0)
                continue
            i = 0
            while i < len(batch):
                t = batch[i][0]
                if base is None or t < base[1]:
                    base = (loop.time(), t)  # the start, or a clock that went back: pace from here
                delay = base[0] + (t - base[1]) / speed - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                now = loop.time()
                j = i + 1
                while j < len(batch) and j - i < _PACED_SLICE and base[0] + (batch[j][0] - base[1]) / speed <= now:
                    j += 1
                deliver(batch[i:j])
                i = j
    finally:
        if pending is not None:
            # The worker thread cannot be interrupted: let it finish its batch before the file closes.
            with contextlib.suppress(BaseException):
                await asyncio.shield(pending)
        await asyncio.to_thread(reader.close)
    return ReplayResult(records, first_t, last_t, loop.time() - started)
