"""Real sources for recording tests: a clip encoded once by Debian's ffmpeg, and ffmpeg serving it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four seconds of 640x360 H.264 at 30 fps with a keyframe every second, in MPEG-TS."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "Debian's ffmpeg is needed (scripts/test installs it)"
    out = tmp_path_factory.mktemp("clip") / "clip.ts"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=30",
            "-t",
            "4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "30",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mpegts",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out


class _PacedTs(BaseHTTPRequestHandler):
    """Serves the clip as an endless MPEG-TS stream, paced to real time like a live encoder."""

    clip_bytes = b""
    clip_seconds = 4.0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/mp2t")
        self.end_headers()
        chunk = 188 * 64
        per_chunk_s = self.clip_seconds * chunk / len(self.clip_bytes)
        try:
            while True:
                for start in range(0, len(self.clip_bytes), chunk):
                    self.wfile.write(self.clip_bytes[start : start + chunk])
                    time.sleep(per_chunk_s)
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def http_ts_server(clip: Path) -> Iterator[str]:
    """A live MPEG-TS over HTTP source on loopback (many clients, real-time pace)."""
    handler = type("Handler", (_PacedTs,), {"clip_bytes": clip.read_bytes()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/live.ts"
    finally:
        server.shutdown()
        server.server_close()
