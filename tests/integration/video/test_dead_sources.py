"""Sources that cannot be opened end in ``error`` within the open timeout, with a reason a person can act on."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from groundstation.adapters.video import OpenCvVideoWorker
from groundstation.domain.models import StreamState
from tests.integration.video.conftest import Running
from tests.peers.video import media
from tests.peers.video.recording_listener import wait_for

pytestmark = pytest.mark.peer


def _error_of(running: Running, url: str, within: float) -> tuple[OpenCvVideoWorker, str]:
    started = time.monotonic()
    worker, _log = running.start(url)
    wait_for(lambda: worker.status().state is StreamState.ERROR, within=within, what=f"error from {url}")
    assert time.monotonic() - started < within
    message = worker.status().last_error
    assert message
    return worker, message


def test_refused_port(running: Running) -> None:
    port = media.free_tcp_port()
    worker, message = _error_of(running, f"rtsp://127.0.0.1:{port}/stream", within=2)
    assert message.startswith("connection refused by 127.0.0.1:")
    # A network source is retried: the next attempt is shown.
    wait_for(lambda: worker.status().qos.next_attempt_at is not None, within=2)


def test_unresolvable_host(running: Running) -> None:
    _, message = _error_of(running, "rtsp://no-such-camera.invalid/live", within=5)
    assert "does not resolve" in message and message.startswith("unreachable")


def test_missing_file(running: Running, tmp_path: Path) -> None:
    _, message = _error_of(running, f"file://{tmp_path}/gone.mp4", within=2)
    assert message == f"not found: no file at {tmp_path}/gone.mp4"


def test_corrupt_file(running: Running, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(os.urandom(200_000))
    _, message = _error_of(running, f"file://{corrupt}", within=5)
    assert message.startswith("not a video:") and "corrupt" in message


def test_http_404_and_401(running: Running) -> None:
    port = media.free_tcp_port()
    with media.mjpeg_server(port):
        _, missing = _error_of(running, f"http://127.0.0.1:{port}/nothing.mjpg", within=5)
        _, private = _error_of(running, f"http://127.0.0.1:{port}/private.mjpg", within=5)
    assert missing.startswith("not found:") and "404" in missing
    assert private.startswith("unauthorized:") and "401" in private


def test_rtsp_404(running: Running) -> None:
    port = media.free_tcp_port()
    with media.rtsp_server(port):
        _, message = _error_of(running, f"rtsp://127.0.0.1:{port}/wrong-path", within=5)
    assert message.startswith("not found:") and "/wrong-path" in message


def test_silent_udp_port_times_out(running: Running) -> None:
    port = media.free_port()
    _, message = _error_of(running, f"udp://0.0.0.0:{port}?open_timeout_ms=1000", within=4)
    assert message.startswith("timed out: no MPEG-TS video arrived on UDP port")
