"""Opening OpenCV captures: timeouts, the SDP file RTP needs, and the process-global FFmpeg options.

OpenCV reads ``OPENCV_FFMPEG_CAPTURE_OPTIONS`` from the environment at the moment a capture opens, so two
streams opening at once with different needs (RTSP over TCP, RTP's protocol whitelist) would race on one
variable. ``CaptureOptionsGate`` lets opens that need the same value run together and makes the others wait;
when the last holder leaves, the variable is restored to what the process had.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import cv2

from groundstation.adapters.video.source_spec import SourceKind, SourceSpec
from groundstation.adapters.video.synthetic import SyntheticCapture

OPTIONS_VAR = "OPENCV_FFMPEG_CAPTURE_OPTIONS"

# FFmpeg's decoder chatter ("non-existing PPS", "no frame!") is normal while joining a live H.264 stream and
# would flood the log; the reasons that matter come from ``diagnosis``. Setting either variable shows it again.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
if "OPENCV_LOG_LEVEL" not in os.environ:
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

_CODEC_NAMES = {
    "h264": "h264", "avc1": "h264", "x264": "h264",
    "hevc": "hevc", "h265": "hevc", "hev1": "hevc", "hvc1": "hevc",
    "mjpg": "mjpeg", "mjpeg": "mjpeg", "jpeg": "mjpeg",
    "vp80": "vp8", "vp90": "vp9", "av01": "av1",
    "mp4v": "mpeg4", "fmp4": "mpeg4", "xvid": "mpeg4", "mpg2": "mpeg2video", "mpg1": "mpeg1video",
}  # fmt: skip


class Capture(Protocol):
    """What the worker needs of a capture: OpenCV's ``VideoCapture`` and our synthetic feed both fit."""

    def read(self) -> tuple[bool, Any]: ...

    def get(self, prop: int) -> float: ...

    def set(self, prop: int, value: float) -> bool: ...

    def isOpened(self) -> bool: ...

    def release(self) -> None: ...


class CaptureOptionsGate:
    """Serialises opens that need different values of ``OPENCV_FFMPEG_CAPTURE_OPTIONS``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holders = 0
        self._active: str | None = None
        self._original: str | None = None

    @contextmanager
    def using(self, options: str | None) -> Iterator[None]:
        """Hold the variable at ``options`` (None: the process's own value) while the body opens a capture."""
        with self._cond:
            while self._holders and self._active != (options if options is not None else self._original):
                self._cond.wait()
            if self._holders == 0:
                self._original = os.environ.get(OPTIONS_VAR)
                self._active = options if options is not None else self._original
                _set_env(self._active)
            self._holders += 1
        try:
            yield
        finally:
            with self._cond:
                self._holders -= 1
                if self._holders == 0:
                    _set_env(self._original)
                    self._active = None
                    self._cond.notify_all()


GATE = CaptureOptionsGate()


def _set_env(value: str | None) -> None:
    if value is None:
        os.environ.pop(OPTIONS_VAR, None)
    else:
        os.environ[OPTIONS_VAR] = value


def ffmpeg_options(spec: SourceSpec) -> str | None:
    """The capture options a source needs, in OpenCV's ``key;value|key;value`` form."""
    if spec.kind is SourceKind.RTSP:
        return f"rtsp_transport;{spec.rtsp_transport}"
    if spec.kind is SourceKind.RTP:
        return "protocol_whitelist;file,rtp,udp"
    return None


def write_sdp(directory: Path, port: int) -> Path:
    """The SDP OpenCV needs to receive RTP/H.264 on ``port`` (payload type 96, as drones send it)."""
    path = directory / f"rtp-{port}.sdp"
    path.write_text(
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=groundstation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
        f"m=video {port} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
        encoding="ascii",
    )
    return path


def open_capture(spec: SourceSpec, stop: threading.Event) -> Capture:
    """Open ``spec``; returns an opened capture or raises ``CaptureOpenFailed`` (the caller diagnoses why)."""
    if spec.kind is SourceKind.SYNTHETIC:
        return SyntheticCapture(spec.synthetic, stop)
    if spec.kind is SourceKind.DEVICE:
        backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        capture = cv2.VideoCapture(int(spec.target), backend)
        return _opened(capture)
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, spec.open_timeout_ms,
        cv2.CAP_PROP_READ_TIMEOUT_MSEC, spec.read_timeout_ms,
    ]  # fmt: skip
    if spec.kind is SourceKind.RTP:
        assert spec.port is not None
        with tempfile.TemporaryDirectory(prefix="gs-sdp-") as tmp:
            sdp = write_sdp(Path(tmp), spec.port)
            with GATE.using(ffmpeg_options(spec)):
                capture = cv2.VideoCapture(str(sdp), cv2.CAP_FFMPEG, params)
        return _opened(capture)
    with GATE.using(ffmpeg_options(spec)):
        capture = cv2.VideoCapture(spec.target, cv2.CAP_FFMPEG, params)
    return _opened(capture)


class CaptureOpenFailed(Exception):
    """OpenCV said no without saying why."""


def _opened(capture: Any) -> Capture:
    if not capture.isOpened():
        capture.release()
        raise CaptureOpenFailed
    result: Capture = capture
    return result


def codec_name(capture: Capture) -> str | None:
    """The codec as a short lower-case name (``h264``, ``hevc``, ``mjpeg``), from the FOURCC OpenCV reports."""
    code = int(capture.get(cv2.CAP_PROP_FOURCC))
    if code <= 0:
        return None
    text = code.to_bytes(4, "little").decode("ascii", errors="ignore").strip("\x00 ").lower()
    return _CODEC_NAMES.get(text, text or None)


def bitrate_kbps(capture: Capture) -> float | None:
    value = capture.get(cv2.CAP_PROP_BITRATE)
    return float(value) if value and value > 0 else None
