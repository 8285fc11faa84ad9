"""Workers leave nothing behind and stop promptly."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.domain.models import StreamState
from tests.peers.video import media
from tests.peers.video.recording_listener import StatusLog, wait_for


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.peer
def test_no_thread_or_fd_leak_after_20_cycles(clip: Path) -> None:
    factory = OpenCvVideoSourceFactory()
    port = media.free_port()
    with media.mpegts_sender(clip, port):
        # Warm up once: the first capture loads FFmpeg's libraries, which stay mapped (not a leak).
        for url in ("synthetic://?w=160&h=120", f"udp://127.0.0.1:{port}"):
            warm = factory.create_worker("warm", url, on_status=StatusLog())
            warm.start()
            wait_for(lambda: warm.status().state is StreamState.LIVE, within=8)  # noqa: B023 (used at once)
            assert warm.stop()
        wait_for(lambda: not any(t.name.startswith("video-") for t in threading.enumerate()), within=2)
        threads, fds = threading.active_count(), _fds()
        for i in range(20):
            url = "synthetic://?w=160&h=120" if i % 2 else f"udp://127.0.0.1:{port}"
            worker = factory.create_worker(f"s{i}", url, on_status=StatusLog())
            worker.start()
            wait_for(lambda: worker.latest() is not None, within=8, what="a frame")  # noqa: B023 (used at once)
            assert worker.stop(), f"cycle {i} did not stop within 2 s"
        wait_for(lambda: threading.active_count() <= threads, within=2, what="threads back to the start")
        assert _fds() <= fds


@pytest.mark.peer
def test_stop_joins_within_2_s_while_live_and_while_connecting(clip: Path) -> None:
    factory = OpenCvVideoSourceFactory()
    port = media.free_port()
    with media.mpegts_sender(clip, port):
        live = factory.create_worker("live", f"udp://127.0.0.1:{port}", on_status=StatusLog())
        live.start()
        wait_for(lambda: live.status().state is StreamState.LIVE, within=8)
        started = time.monotonic()
        assert live.stop()
        assert time.monotonic() - started < 2.0
    # Blocked inside OpenCV's open on a silent port: the open timeout (1.5 s here) bounds the join.
    silent = factory.create_worker(
        "silent", f"udp://127.0.0.1:{media.free_port()}?open_timeout_ms=1500", on_status=StatusLog()
    )
    silent.start()
    wait_for(lambda: silent.status().state is StreamState.CONNECTING, within=2)
    started = time.monotonic()
    assert silent.stop(2.0)
    assert time.monotonic() - started < 2.0


def test_stop_is_idempotent_and_no_status_after_it() -> None:
    factory = OpenCvVideoSourceFactory()
    assert factory.create_worker("never", "synthetic://", on_status=StatusLog()).stop()
    log = StatusLog()
    worker = factory.create_worker("s", "synthetic://?w=64&h=64", on_status=log)
    worker.start()
    wait_for(lambda: worker.status().state is StreamState.LIVE, within=5)
    assert worker.stop() and worker.stop()
    seen = len(log.statuses)
    assert worker.status().state is StreamState.IDLE
    assert len(log.statuses) == seen


@pytest.mark.peer
def test_stop_joins_within_2_s_while_blocked_in_a_read_of_a_source_that_died(clip: Path) -> None:
    """The default read timeout is what bounds this: a read cannot be interrupted once it has started."""
    factory = OpenCvVideoSourceFactory()
    port = media.free_port()
    sender = media.mpegts_sender(clip, port).start()
    try:
        worker = factory.create_worker("dying", f"udp://127.0.0.1:{port}", on_status=StatusLog())
        worker.start()
        wait_for(lambda: worker.status().state is StreamState.LIVE, within=8)
    finally:
        sender.kill()
    wait_for(lambda: worker.status().state is StreamState.STALLED, within=3, what="stalled")
    started = time.monotonic()
    assert worker.stop(2.0)
    assert time.monotonic() - started < 2.0
