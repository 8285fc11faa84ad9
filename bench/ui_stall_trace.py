"""Where the window's loop stalls: ``bench/ui_tiles.py``'s window, with a thread that samples the Qt thread's
Python stack whenever the stall watchdog's timer is late.

The benchmark says how long the loop stalled; this says what the Qt thread was doing meanwhile. A stall
whose stacks are all Qt's own loop (``run_forever``) is the thread waiting for a core or the GIL, not code of
ours; one inside ``paintEvent`` or a slot names the code to make cheaper. This is how the 16-tile stalls were
traced to CPU contention with the decode threads (now niced, see ``adapters/video/thread_priority.py``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_stall_trace.py --tiles 16 --seconds 30 --over 20
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ui_tiles

from groundstation.ui import watchdog

SAMPLE_S = 0.003
DEPTH = 5


@dataclass
class Stall:
    started: float
    late_ms: float
    stacks: list[str] = field(default_factory=list)


class Sampler:
    """Samples the main thread's stack while the watchdog is more than ``over_ms`` late; armed after the
    watchdog's reset (start-up is not what a trace wants)."""

    def __init__(self, over_ms: float) -> None:
        self.over_ms = over_ms
        self.armed = threading.Event()
        self.stalls: list[Stall] = []
        self._main = threading.main_thread().ident

    def run(self, dog: watchdog.StallWatchdog) -> None:
        current: Stall | None = None
        while True:
            time.sleep(SAMPLE_S)
            last = dog._last
            if last is None or not self.armed.is_set():
                continue
            late = (time.perf_counter() - last) * 1000 - dog.interval_ms
            if late <= self.over_ms:
                continue
            if current is None or current.started != last:
                current = Stall(last, late)
                self.stalls.append(current)
            current.late_ms = late
            frame = sys._current_frames().get(self._main or 0)
            stack = traceback.extract_stack(frame)[-DEPTH:] if frame is not None else []
            line = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(stack))
            if not current.stacks or current.stacks[-1] != line:
                current.stacks.append(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiles", type=int, choices=sorted(ui_tiles.LAYOUT), default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--over", type=float, default=20.0, help="trace stalls longer than this (ms)")
    parser.add_argument("--top", type=int, default=10, help="how many of the longest stalls to print")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sampler = Sampler(args.over)
    start, reset = watchdog.StallWatchdog.start, watchdog.StallWatchdog.reset

    def traced_start(self: watchdog.StallWatchdog) -> None:
        start(self)
        threading.Thread(target=sampler.run, args=(self,), name="stall-sampler", daemon=True).start()

    def traced_reset(self: watchdog.StallWatchdog) -> None:
        reset(self)
        sampler.armed.set()

    watchdog.StallWatchdog.start = traced_start  # type: ignore[method-assign]
    watchdog.StallWatchdog.reset = traced_reset  # type: ignore[method-assign]
    from groundstation.ui.app import run_qt

    with tempfile.TemporaryDirectory() as tmp:
        stats = run_qt(ui_tiles.window_run(Path(tmp), args.tiles, args.warmup, args.seconds))
    sampler.armed.clear()
    print(f"tiles {args.tiles}: stall max {stats['max_stall_ms']} ms, p99 {stats['p99_stall_ms']} ms")
    print(f"{len(sampler.stalls)} stalls over {args.over:g} ms; the longest, with the Qt thread's stacks:")
    for stall in sorted(sampler.stalls, key=lambda s: -s.late_ms)[: args.top]:
        print(f"--- ~{stall.late_ms:.0f} ms")
        for line in stall.stacks[:6]:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
