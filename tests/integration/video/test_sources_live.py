"""Each kind of source reaches ``live`` with the right resolution and codec, from a real peer on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.domain.models import StreamState
from tests.integration.video.conftest import Running
from tests.peers.video import media
from tests.peers.video.recording_listener import wait_for

pytestmark = pytest.mark.peer


def _assert_live(running: Running, url: str, width: int, height: int, codec: str) -> None:
    worker, log = running.start(url)
    wait_for(lambda: worker.status().qos.frames_decoded >= 15, within=8, what=f"15 frames from {url}")
    status = worker.status()
    assert status.state is StreamState.LIVE, status
    assert (status.qos.width, status.qos.height, status.qos.codec) == (width, height, codec)
    assert log.reached(StreamState.CONNECTING, StreamState.LIVE)
    frame = worker.latest()
    assert frame is not None and frame.image.shape == (height, width, 3)
    assert status.qos.decoded_fps is not None and status.qos.decoded_fps > 10
    assert worker.stop()  # while the peer still sends, so the stop does not wait out a read timeout


def test_mpegts_over_udp(running: Running, clip: Path) -> None:
    port = media.free_port()
    with media.mpegts_sender(clip, port):
        _assert_live(running, f"udp://127.0.0.1:{port}", 640, 360, "h264")


def test_rtp_h264_over_udp(running: Running, clip: Path) -> None:
    port = media.free_port()
    with media.rtp_sender(clip, port):
        _assert_live(running, f"rtp://0.0.0.0:{port}", 640, 360, "h264")


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_rtsp(running: Running, transport: str) -> None:
    port = media.free_tcp_port()
    with media.rtsp_server(port, "640x360"):
        _assert_live(running, f"rtsp://127.0.0.1:{port}/stream?transport={transport}", 640, 360, "h264")


def test_mjpeg_over_http(running: Running) -> None:
    port = media.free_tcp_port()
    with media.mjpeg_server(port, "320x240"):
        _assert_live(running, f"http://127.0.0.1:{port}/stream.mjpg", 320, 240, "mjpeg")


def test_hls_is_played_at_its_own_rate(running: Running, clip: Path, tmp_path: Path) -> None:
    port = media.free_tcp_port()
    with media.hls_server(clip, tmp_path / "hls", port):
        worker, _log = running.start(f"http://127.0.0.1:{port}/index.m3u8")
        wait_for(lambda: worker.status().qos.frames_decoded >= 45, within=8, what="45 frames")
        status = worker.status()
        assert (status.state, status.qos.width, status.qos.height, status.qos.codec) == (
            StreamState.LIVE, 640, 360, "h264",
        )  # fmt: skip
        # Segments arrive whole; played unpaced, 45 frames would take a fraction of a second.
        assert status.qos.decoded_fps is not None and status.qos.decoded_fps < 40
        assert worker.stop()


def test_looping_file_keeps_playing_at_its_rate(running: Running, clip: Path, tmp_path: Path) -> None:
    mp4 = media.remux(clip, tmp_path / "clip.mp4")
    worker, log = running.start(f"file://{mp4}?loop=1&read_timeout_ms=2000")
    wait_for(lambda: worker.status().qos.frames_decoded > 140, within=8, what="the 4 s clip to loop")
    status = worker.status()
    assert status.state is StreamState.LIVE
    assert (status.qos.width, status.qos.height, status.qos.codec) == (640, 360, "h264")
    assert status.qos.source_fps is not None and 25 < status.qos.source_fps < 35
    assert StreamState.ERROR not in log.states


def test_file_without_loop_ends_idle(running: Running, clip: Path) -> None:
    worker, log = running.start(f"file://{clip}")
    wait_for(lambda: log.reached(StreamState.LIVE, StreamState.IDLE), within=8, what="end of file")
    assert worker.status().last_error == "end of file"
    assert worker.status().qos.frames_decoded == 120


def test_synthetic(running: Running) -> None:
    _assert_live(running, "synthetic://?w=320&h=240&fps=30&pattern=checker", 320, 240, "rawvideo")
