"""What ``check`` accepts and refuses, and what the worker is told to open."""

from __future__ import annotations

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.adapters.video.source_spec import SourceKind, parse_source
from groundstation.domain.errors import InvalidError


def test_rtsp_is_tcp_by_default_and_keeps_the_cameras_own_query() -> None:
    spec = parse_source("rtsp://admin:secret@cam.local/live?channel=2&open_timeout_ms=800")
    assert spec.kind is SourceKind.RTSP and spec.rtsp_transport == "tcp"
    assert spec.target == "rtsp://admin:secret@cam.local/live?channel=2"
    assert (spec.host, spec.port, spec.open_timeout_ms, spec.read_timeout_ms) == ("cam.local", 554, 800, 1800)
    assert "secret" not in spec.display
    assert parse_source("rtsp://cam/live?transport=udp").rtsp_transport == "udp"


def test_file_loop_device_and_synthetic() -> None:
    file = parse_source("file:///videos/a%20b.mp4?loop=1")
    assert (file.kind, file.target, file.loop, file.is_live) == (SourceKind.FILE, "/videos/a b.mp4", True, False)
    assert parse_source("device://0").target == "0"
    synthetic = parse_source("synthetic://?w=320&h=240&fps=15&pattern=bars").synthetic
    assert (synthetic.width, synthetic.height, synthetic.fps, synthetic.pattern) == (320, 240, 15, "bars")
    assert parse_source("rtp://0.0.0.0:5600").port == 5600
    assert parse_source("https://cam/x.m3u8").port == 443


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("rtsp://cam/live?transport=quic", "transport must be tcp or udp"),
        ("file:///a.mp4?loop=yes", "loop must be 0 or 1"),
        ("file:///a.mp4?lop=1", "unknown option lop"),
        ("rtp://0.0.0.0:5600?codec=h265", "unknown option codec"),
        ("synthetic://?speed=2", "unknown option speed"),
        ("udp://0.0.0.0:5600?open_timeout_ms=soon", "open_timeout_ms must be milliseconds"),
        ("dji://drone1", "not decoded by the OpenCV pipeline"),
        ("ftp://x/y", "unsupported stream scheme"),
    ],
)
def test_check_refuses_what_it_cannot_honour(url: str, says: str) -> None:
    with pytest.raises(InvalidError) as caught:
        OpenCvVideoSourceFactory().check(url)
    assert caught.value.field == "url"
    assert says in caught.value.message
