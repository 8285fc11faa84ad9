"""Decode threads run below the window's thread on Linux, so sixteen feeds cannot starve the paint."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.adapters.video.thread_priority import DECODE_NICENESS, lower_current_thread_priority
from groundstation.domain.models import StreamState

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _nice(native_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, native_id)


def test_only_the_calling_thread_is_lowered() -> None:
    before = _nice(threading.get_native_id())
    seen: dict[str, int] = {}

    def body() -> None:
        seen["applied"] = int(lower_current_thread_priority())
        seen["nice"] = _nice(threading.get_native_id())

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen["applied"] == 1
    assert seen["nice"] == min(19, before + DECODE_NICENESS)
    assert _nice(threading.get_native_id()) == before  # this thread (the "window's") is untouched


def test_a_video_workers_thread_runs_below_the_process() -> None:
    live = threading.Event()
    factory = OpenCvVideoSourceFactory()
    worker = factory.create_worker(
        "prio", "synthetic://?w=64&h=48&fps=30", on_status=lambda s: live.set() if s.state is StreamState.LIVE else None
    )
    worker.start()
    try:
        assert live.wait(10), "the synthetic feed never went live"
        thread = worker._thread
        assert thread is not None and thread.native_id is not None
        assert _nice(thread.native_id) == min(19, _nice(threading.get_native_id()) + DECODE_NICENESS)
    finally:
        worker.stop()
