"""Real video peers on loopback for the video tests and the benchmark: a clip encoded once, ffmpeg senders
(MPEG-TS and RTP over UDP), GStreamer's RTSP server, and an MJPEG-over-HTTP server.

Senders copy a pre-encoded clip (``-c copy``), so they cost almost nothing beside the decoders under test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-gi (GstRtspServer) binds to Debian's interpreter, not the venv


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A loopback port nobody holds now (UDP by default)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_tcp_port() -> int:
    return free_port(socket.SOCK_STREAM)


def encode_clip(directory: Path, *, width: int = 640, height: int = 360, seconds: int = 4, fps: int = 30) -> Path:
    """An H.264 MPEG-TS clip of the test pattern, keyframe every second (as a drone camera sends)."""
    clip = directory / f"clip-{width}x{height}.ts"
    if not clip.exists():
        subprocess.run(
            [
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}", "-t", str(seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(fps),
                "-pix_fmt", "yuv420p", "-f", "mpegts", str(clip),
            ],
            check=True,
            timeout=60,
        )  # fmt: skip
    return clip


def remux(clip: Path, target: Path) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip), "-c", "copy", str(target)],
        check=True,
        timeout=30,
    )
    return target


class Peer:
    """A server or sender subprocess that can be killed (as a crash) and started again on the same port."""

    def __init__(self, argv: list[str], ready_line: str | None = None) -> None:
        self.argv = argv
        self.ready_line = ready_line
        self.process: subprocess.Popen[str] | None = None

    def start(self, within_s: float = 10.0) -> Peer:
        self.process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.ready_line else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        if self.ready_line is not None:
            assert self.process.stdout is not None
            deadline = time.monotonic() + within_s
            while time.monotonic() < deadline:
                line = self.process.stdout.readline()
                if line.startswith(self.ready_line):
                    return self
                if not line and self.process.poll() is not None:
                    break
            self.kill()
            raise RuntimeError(f"{self.argv[0]} did not print {self.ready_line!r}")
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled cable would end it."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Peer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def mpegts_sender(clip: Path, port: int) -> Peer:
    return Peer([*_ffmpeg_loop(clip), "-f", "mpegts", f"udp://127.0.0.1:{port}?pkt_size=1316"])


def rtp_sender(clip: Path, port: int) -> Peer:
    return Peer([*_ffmpeg_loop(clip), "-f", "rtp", f"rtp://127.0.0.1:{port}"])


def rtsp_server(port: int, size: str = "640x360") -> Peer:
    return Peer([SYSTEM_PYTHON, str(HERE / "rtsp_server.py"), str(port), size], ready_line="READY")


def mjpeg_server(port: int, size: str = "640x360") -> Peer:
    """Runs under the venv's Python (it needs OpenCV to make the JPEGs)."""
    return Peer([sys.executable, str(HERE / "mjpeg_server.py"), str(port), size], ready_line="READY")


def hls_server(clip: Path, directory: Path, port: int) -> Peer:
    """The clip cut into 1 s HLS segments, served by a static HTTP server (as a finished event playlist)."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip), "-c", "copy", "-f", "hls",
         "-hls_time", "1", "-hls_list_size", "0", str(directory / "index.m3u8")],
        check=True,
        timeout=30,
    )  # fmt: skip
    argv = [sys.executable, "-u", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    return Peer(argv, ready_line="Serving HTTP")


def _ffmpeg_loop(clip: Path) -> list[str]:
    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(clip), "-c", "copy"]
