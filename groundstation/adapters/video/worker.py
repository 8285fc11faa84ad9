"""One stream's decode worker: a thread that owns its capture and keeps only the newest frame.

States: ``idle`` (created) → ``connecting`` → ``live``; ``live`` → ``stalled`` (no frame for more than
``stall_after_s``, noticed by the watchdog, or at once when the source closes) → ``live`` again if frames
resume, or ``reconnecting`` when the capture is closed to be reopened (read timeout or closed connection) →
``live`` on success. A failed first open is ``error`` with the reason; it is retried with backoff and stays
``error`` until an attempt succeeds (no flapping with ``connecting``). Failures that retrying cannot fix (a
missing or corrupt file) end the thread in ``error``. A file without ``loop=1`` ends in ``idle`` with the last
error "end of file". ``disabled`` belongs to the services. Status listeners are not called after ``stop``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum, auto
from typing import Any

import cv2

from groundstation.adapters.video.backoff import Backoff
from groundstation.adapters.video.captures import Capture, CaptureOpenFailed, bitrate_kbps, codec_name, open_capture
from groundstation.adapters.video.diagnosis import SourceError, explain_failure, nothing_arrived, preflight
from groundstation.adapters.video.downscale import downscale
from groundstation.adapters.video.qos import QosMeter
from groundstation.adapters.video.source_spec import SourceKind, SourceSpec
from groundstation.adapters.video.stall_watchdog import WATCHDOG, StallWatchdog
from groundstation.adapters.video.thread_priority import lower_current_thread_priority
from groundstation.domain.models import StreamState
from groundstation.domain.ports import FrameTap, StatusListener, TelemetryLookup
from groundstation.domain.video import StreamStatus, VideoFrame

log = logging.getLogger(__name__)

_KEEP: Any = object()
# A consumer that called ``latest`` within this long is reading the stream: a frame replaced before it took
# it counts as dropped. Frames nobody is reading (``serve``, a hidden tile) are not losses.
READER_GONE_S = 1.0


class _End(Enum):
    STOPPED = auto()
    LOST = auto()
    EOF = auto()
    REOPEN = auto()
    UNDECODABLE = auto()
    SILENT = auto()  # a UDP source whose first read timed out: nothing arrived


class OpenCvVideoWorker:
    """Implements ``domain.ports.VideoWorker``."""

    def __init__(
        self,
        stream_id: str,
        spec: SourceSpec,
        *,
        on_status: StatusListener,
        telemetry: TelemetryLookup | None = None,
        stall_after_s: float = 1.0,
        backoff: Backoff | None = None,
        watchdog: StallWatchdog = WATCHDOG,
    ) -> None:
        self._stream_id = stream_id
        self._spec = spec
        self._on_status = on_status
        self._telemetry = telemetry
        self._stall_after_s = stall_after_s
        self._backoff = backoff or Backoff()
        self._watchdog = watchdog
        self._lock = threading.Lock()  # state, QoS, the frame slot
        self._notify_lock = threading.Lock()  # keeps listener calls in the order of the changes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = StreamState.IDLE
        self._last_error: str | None = None
        self._meter = QosMeter()
        self._frame: VideoFrame | None = None
        self._fetched = True
        self._last_read_mono: float | None = None
        self._attempt_mono = 0.0  # when the current open attempt began (how long a silent source was heard)
        self._seq = 0
        self._last_frame_mono: float | None = None
        self._output_size: tuple[int, int] | None = None
        self._tap: FrameTap | None = None

    # ------------------------------------------------------------------------------------------ the port
    @property
    def stream_id(self) -> str:
        return self._stream_id

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"video-{self._stream_id}", daemon=False)
        self._watchdog.register(self)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> bool:
        self._stop.set()
        self._watchdog.unregister(self)
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return thread is None
        thread.join(timeout_s)
        return not thread.is_alive()

    def latest(self, after_seq: int = -1) -> VideoFrame | None:
        with self._lock:
            self._last_read_mono = time.monotonic()
            frame = self._frame
            if frame is None or frame.seq <= after_seq:
                return None
            if not self._fetched:
                self._fetched = True
                self._meter.on_fetch((time.monotonic() - frame.captured_mono) * 1000.0)
            return frame

    def status(self) -> StreamStatus:
        with self._lock:
            return StreamStatus(self._state, self._meter.snapshot(time.monotonic()), self._last_error)

    # ------------------------------------------------------------------------------------------ hooks
    def set_output_size(self, width: int | None, height: int | None) -> None:
        """Frames are resized to this size before they are published (None or 0: native), so that a tile
        paints them as they are instead of scaling in ``paintEvent``."""
        self._output_size = (width, height) if width and height else None

    def set_frame_tap(self, tap: FrameTap | None) -> None:
        """Hand every native-size frame to ``tap`` too (the recorder's hook); None removes it."""
        self._tap = tap

    def check_stall(self, now_mono: float) -> None:
        """Called by the watchdog a few times a second."""

        def change() -> bool:
            last = self._last_frame_mono
            if self._state is StreamState.LIVE and last is not None and now_mono - last > self._stall_after_s:
                self._state = StreamState.STALLED
                self._meter.stalls += 1
                return True
            return False

        self._change(change)

    # ------------------------------------------------------------------------------------------ thread
    def _run(self) -> None:
        lower_current_thread_priority()
        try:
            self._loop()
        except Exception as exc:  # a bug here must show on the tile, not kill the process silently
            log.exception("video worker %s failed", self._stream_id)
            self._set_state(StreamState.ERROR, f"internal error: {exc!r}")
        finally:
            self._watchdog.unregister(self)
            with self._lock:
                if self._state is not StreamState.ERROR:
                    self._state = StreamState.IDLE  # stopped, or a file that ended

    def _loop(self) -> None:
        was_live = False
        while not self._stop.is_set():
            with self._lock:
                current = self._state
            if current not in (StreamState.ERROR, StreamState.RECONNECTING):
                self._set_state(StreamState.RECONNECTING if was_live else StreamState.CONNECTING)
            try:
                capture = self._open()
            except SourceError as exc:
                if self._stop.is_set():
                    return
                if exc.permanent or not self._spec.is_live:
                    self._set_state(StreamState.ERROR, exc.message)
                    return
                self._set_state(StreamState.RECONNECTING if was_live else StreamState.ERROR, exc.message)
                if not self._wait_backoff():
                    return
                continue
            try:
                end = self._pump(capture)
            finally:
                capture.release()
            if end is _End.STOPPED:
                return
            if end is _End.EOF:
                self._set_state(StreamState.IDLE, "end of file")
                return
            if end is _End.REOPEN:
                continue
            if end is _End.SILENT:
                waited_s = round(time.monotonic() - self._attempt_mono, 1)
                silent = nothing_arrived(self._spec, waited_s).message
                self._set_state(StreamState.RECONNECTING if was_live else StreamState.ERROR, silent)
                if not self._wait_backoff():
                    return
                continue
            if end is _End.UNDECODABLE:
                message = f"not a video: {self._spec.display} opened but no frame could be decoded"
                if not self._spec.is_live:
                    self._set_state(StreamState.ERROR, message + " (corrupt, or an unsupported codec)")
                    return
                self._set_state(StreamState.RECONNECTING if was_live else StreamState.ERROR, message)
            else:  # lost: the read timed out or the connection closed
                was_live = True
                self._mark_lost()
            if not self._wait_backoff():
                return

    def _open(self) -> Capture:
        preflight(self._spec)
        started = self._attempt_mono = time.monotonic()
        try:
            capture = open_capture(self._spec, self._stop)
        except CaptureOpenFailed:
            raise explain_failure(self._spec, time.monotonic() - started) from None
        codec = "rawvideo" if self._spec.kind is SourceKind.SYNTHETIC else codec_name(capture)
        with self._lock:
            self._meter.media.codec = codec
            self._meter.media.bitrate_kbps = bitrate_kbps(capture)
            self._meter.on_restart()
        return capture

    def _pump(self, capture: Capture) -> _End:
        """Read until the capture ends; publishes every frame into the slot."""
        # Files and HLS arrive faster than real time (HLS a whole segment at once): play them at their own
        # timestamps, or a tile would fast-forward through each burst and then freeze.
        paced = self._spec.kind is SourceKind.FILE or self._spec.target.split("?", 1)[0].endswith(".m3u8")
        first = True
        origin: tuple[float, float] | None = None  # (monotonic, pts) that file pacing counts from
        udp = self._spec.kind in (SourceKind.UDP, SourceKind.RTP)
        while True:
            started = time.monotonic()
            ok, image = capture.read()
            if self._stop.is_set():
                return _End.STOPPED
            if not ok or image is None:
                if first:
                    # RTP opens from its SDP before any packet: a first read that waited out the read timeout
                    # heard nothing, which is not the same as receiving something undecodable.
                    waited_ms = (time.monotonic() - started) * 1000
                    return _End.SILENT if udp and waited_ms >= self._spec.read_timeout_ms * 0.9 else _End.UNDECODABLE
                if self._spec.kind is SourceKind.FILE:
                    if not self._spec.loop:
                        return _End.EOF
                    if not capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
                        return _End.REOPEN
                    origin = None
                    continue
                return _End.LOST
            position = capture.get(cv2.CAP_PROP_POS_MSEC)
            pts = position / 1000.0 if position and position > 0 else None
            if paced and pts is not None:
                if origin is None or pts < origin[1]:
                    origin = (time.monotonic(), pts)
                delay = origin[0] + (pts - origin[1]) - time.monotonic()
                if delay > 1.0 or delay < -1.0:
                    origin = (time.monotonic(), pts)  # a jump in the file's timestamps: pace from here
                elif delay > 0 and self._stop.wait(delay):
                    return _End.STOPPED
            if first:
                first = False
                self._backoff.reset()
                with self._lock:
                    self._meter.media.height, self._meter.media.width = image.shape[:2]
                    self._meter.next_attempt_at = None
                    self._last_frame_mono = time.monotonic()
                self._set_state(StreamState.LIVE, None)
            self._publish(image, pts)

    def _publish(self, image: Any, pts: float | None) -> None:
        now = time.monotonic()
        height, width = image.shape[:2]
        telemetry = None
        if self._telemetry is not None:
            try:
                telemetry = self._telemetry()
            except Exception:
                log.exception("telemetry lookup of stream %s failed", self._stream_id)
        self._seq += 1
        frame = VideoFrame(image, self._seq, now, datetime.now(UTC), width, height, pts, telemetry)
        tap = self._tap
        if tap is not None:
            try:
                tap(frame)
            except Exception:
                log.exception("frame tap of stream %s failed", self._stream_id)
        size = self._output_size
        if size is not None and size != (width, height):
            resized = downscale(image, size)
            frame = dataclasses.replace(frame, image=resized, width=size[0], height=size[1])
        resumed = False
        with self._lock:
            reading = self._last_read_mono is not None and now - self._last_read_mono <= READER_GONE_S
            if self._frame is not None and not self._fetched and reading:
                self._meter.frames_dropped += 1
            self._frame = frame
            self._fetched = False
            self._last_frame_mono = now
            self._meter.on_frame(now, pts)
            resumed = self._state is StreamState.STALLED
        if resumed:
            self._set_state(StreamState.LIVE, None)

    def _mark_lost(self) -> None:
        def change() -> bool:
            self._meter.reconnects += 1
            if self._state is StreamState.LIVE:
                self._state = StreamState.STALLED
                self._meter.stalls += 1
                return True
            return False

        self._change(change)
        self._set_state(StreamState.RECONNECTING, "the source stopped sending video")

    def _wait_backoff(self) -> bool:
        """Wait before the next attempt, showing when it will be; False if stopped meanwhile."""
        delay = self._backoff.next_delay()
        with self._lock:
            self._meter.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
        stopped = self._stop.wait(delay)
        with self._lock:
            self._meter.next_attempt_at = None
        return not stopped

    # ------------------------------------------------------------------------------------------ status
    def _set_state(self, state: StreamState, error: str | None = _KEEP) -> None:
        def change() -> bool:
            new_error = self._last_error if error is _KEEP else error
            if (state, new_error) == (self._state, self._last_error):
                return False
            self._state, self._last_error = state, new_error
            return True

        self._change(change)

    def _change(self, change: Callable[[], bool]) -> None:
        with self._notify_lock:
            with self._lock:
                changed = change()
            if not changed or self._stop.is_set():
                return
            status = self.status()
            try:
                self._on_status(status)
            except Exception:
                log.exception("status listener of stream %s failed", self._stream_id)
