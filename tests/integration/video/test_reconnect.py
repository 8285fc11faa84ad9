"""A live source that dies goes ``stalled`` after a second, then ``reconnecting``, then ``live`` when it returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.domain.models import StreamState
from tests.integration.video.conftest import Running
from tests.peers.video import media
from tests.peers.video.recording_listener import wait_for

pytestmark = pytest.mark.peer

LIVE, STALLED, RECONNECTING = StreamState.LIVE, StreamState.STALLED, StreamState.RECONNECTING


def _kill_and_return(running: Running, peer: media.Peer, url: str) -> None:
    worker, log = running.start(url)
    wait_for(lambda: worker.status().state is LIVE, within=8, what="live")
    peer.kill()
    wait_for(lambda: log.reached(LIVE, STALLED, RECONNECTING), within=8, what="stalled, then reconnecting")
    reconnecting = worker.status()
    assert reconnecting.qos.stalls >= 1 and reconnecting.qos.reconnects >= 1
    peer.start()
    wait_for(lambda: log.reached(LIVE, STALLED, RECONNECTING, LIVE), within=12, what="live again")
    frames_before = worker.status().qos.frames_decoded
    wait_for(lambda: worker.status().qos.frames_decoded > frames_before + 10, within=5, what="frames flowing")
    assert worker.status().qos.next_attempt_at is None


def test_mpegts_sender_killed_and_restarted(running: Running, clip: Path) -> None:
    port = media.free_port()
    peer = media.mpegts_sender(clip, port).start()
    try:
        # A silent UDP port is only noticed by the read timeout: 1.5 s here instead of the default 1.8 s.
        _kill_and_return(running, peer, f"udp://127.0.0.1:{port}?read_timeout_ms=1500&open_timeout_ms=1500")
    finally:
        peer.kill()


def test_rtsp_server_killed_and_restarted(running: Running) -> None:
    port = media.free_tcp_port()
    peer = media.rtsp_server(port).start()
    try:
        _kill_and_return(running, peer, f"rtsp://127.0.0.1:{port}/stream")
    finally:
        peer.kill()


def test_stall_without_reconnect_returns_to_live() -> None:
    """Frames that pause for longer than the stall limit but resume before the read timeout."""
    running = Running(OpenCvVideoSourceFactory(stall_after_s=0.3))
    worker, log = running.start("synthetic://?w=64&h=64&fps=2")
    # 2 fps is slower than a 0.3 s stall limit: each gap is a stall, each frame brings the stream back.
    wait_for(lambda: log.reached(LIVE, STALLED, LIVE), within=5, what="stalled, then live")
    assert worker.status().qos.stalls >= 1
    assert worker.status().qos.reconnects == 0
    assert worker.stop()
