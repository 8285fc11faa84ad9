"""The thread every recording runs in: start, stop with a deadline, progress readable from any thread."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from groundstation.domain.video import RecordingProgress

log = logging.getLogger(__name__)


class RecordingThread(ABC):
    mode = "?"

    def __init__(self, out_path: Path, sidecar_path: Path) -> None:
        self._out_path = out_path
        self._sidecar_path = sidecar_path
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._frames = 0
        self._duration_s = 0.0
        self._error: str | None = None
        self._finished = False
        self._thread = threading.Thread(target=self._main, name=f"rec-{out_path.stem}", daemon=True)

    @property
    def path(self) -> str:
        return str(self._out_path)

    @property
    def sidecar_path(self) -> str:
        return str(self._sidecar_path)

    def start(self) -> None:
        self._thread.start()

    def progress(self) -> RecordingProgress:
        size = self._out_path.stat().st_size if self._out_path.exists() else 0
        with self._lock:
            return RecordingProgress(self._frames, size, self._duration_s, self._error, self._finished)

    def stop(self, timeout_s: float = 5.0) -> RecordingProgress:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return self.progress()

    def _counted(self, duration_s: float) -> None:
        with self._lock:
            self._frames += 1
            self._duration_s = max(self._duration_s, duration_s)

    def _main(self) -> None:
        try:
            self._run()
        except Exception as exc:
            log.warning("recording %s ended: %s", self._out_path.name, exc)
            with self._lock:
                self._error = describe_av_error(exc)
        finally:
            with self._lock:
                self._finished = True

    @abstractmethod
    def _run(self) -> None: ...


def describe_av_error(exc: BaseException) -> str:
    """FFmpeg's errors in words an operator can act on."""
    text = str(exc)
    lowered = text.lower()
    if "connection refused" in lowered:
        return "the source refused the connection"
    if "timed out" in lowered or "timeout" in lowered:
        return "the source stopped sending (timed out)"
    if "no such file" in lowered or "not found" in lowered or "404" in lowered:
        return "the source was not found"
    if "401" in lowered or "unauthorized" in lowered:
        return "the source needs credentials (unauthorized)"
    if "invalid data" in lowered:
        return "the source sent data that is not a video stream"
    return f"recording failed: {text}"
