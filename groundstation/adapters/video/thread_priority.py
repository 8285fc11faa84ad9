"""Decode threads yield the CPU to the window's thread when the two compete.

On a two-core laptop with sixteen feeds, every decode thread and the Qt thread want a core at the same
moment thirty times a second; the kernel shares the cores evenly, so the thread that paints the window
waits behind decoders and an operator sees a stutter (the 50-150 ms loop stalls measured at 4x4 under
load). A decoder that runs a few milliseconds late costs nothing visible: its newest frame replaces the
previous one. So decode threads run at a lower scheduling priority than the process (a positive nice
value on the thread itself, which Linux schedules per thread); the window thread keeps the default.

Elsewhere (macOS and Windows schedule per process through this call, or not at all) it is a no-op: the
figures there are what they were.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

# Nice 10 gives a thread about a tenth of the CPU weight of a nice-0 thread when both are runnable.
DECODE_NICENESS = 10


def lower_current_thread_priority(niceness: int = DECODE_NICENESS) -> bool:
    """Give the calling thread ``niceness`` more than the process; True when the kernel applied it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + niceness))
    except OSError as exc:  # a sandbox may forbid it; decoding works the same, only less politely
        log.debug("could not lower the decode thread's priority: %s", exc)
        return False
    return True
