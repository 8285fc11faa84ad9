"""A tile's view of one stream's decode worker: the newest frame as a QImage, and the displayed frame rate.

The worker publishes numpy BGR arrays; ``QImage(arr.data, w, h, stride, Format_BGR888)`` wraps that memory
without a copy, so the array must stay referenced for as long as the image is painted: ``FrameSlot`` holds
both together and replaces them together. Frames are only ever read here (the worker never writes a
published array), so sharing is safe across the decode thread and the GUI thread.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from PySide6.QtGui import QImage

from groundstation.domain.video import StreamStatus, VideoFrame
from groundstation.services.video_pipeline import VideoPipeline

FPS_WINDOW_S = 2.0
# How often a tile re-reads its worker's status (state and QoS, for the badge and the status line). Frames are
# polled at the grid's rate; a status is a snapshot with sorted percentiles, and nobody reads a badge at 60 Hz.
STATUS_HZ = 5.0


def frame_to_qimage(image: Any) -> QImage:
    """Wrap a (height, width, 3) uint8 BGR array as a QImage sharing its memory (no copy)."""
    height, width = int(image.shape[0]), int(image.shape[1])
    stride = int(image.strides[0])
    return QImage(image.data, width, height, stride, QImage.Format.Format_BGR888)


class RateMeter:
    """Events per second over the last ``window_s`` (the tile's displayed fps)."""

    def __init__(self, window_s: float = FPS_WINDOW_S) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()
        self.total = 0

    def mark(self, now: float | None = None) -> None:
        self._times.append(time.monotonic() if now is None else now)
        self.total += 1

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
        if len(self._times) < 2:
            return 0.0
        span = now - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


class FrameSlot:
    """The frame a tile shows: polled from the pipeline at display rate, kept until a newer one exists."""

    def __init__(self, phase: float = 0.0) -> None:
        # Where in the status period this slot reads (0 to 1): tiles attached together would otherwise all
        # read their status, recompute their badge and re-render their overlay on the same poll.
        self.phase = phase % 1.0
        self._phased = False
        self.stream_id: str | None = None
        self.frame: VideoFrame | None = None
        self.image: QImage | None = None
        self.status: StreamStatus | None = None
        self.displayed = RateMeter()
        self._requested_size: tuple[int, int] | None = None
        self._status_due = 0.0
        self.status_reads = 0  # bumped on each status read: the tile recomputes its badge and line only then

    def attach(self, stream_id: str | None) -> None:
        if stream_id != self.stream_id:
            self.stream_id = stream_id
            self.clear()
            self._requested_size = None
            self._status_due = 0.0
            self._phased = False

    def clear(self) -> None:
        self.frame = None
        self.image = None

    def poll(self, video: VideoPipeline | None, now: float | None = None) -> bool:
        """Fetch the frame newer than the one held (and, ``STATUS_HZ`` times a second, the status); True when
        a new frame arrived."""
        if self.stream_id is None or video is None:
            if self.status is not None:
                self.status = None
                self.status_reads += 1
            return False
        now = time.monotonic() if now is None else now
        if now >= self._status_due:
            self._status_due = now + (1.0 + (0.0 if self._phased else self.phase)) / STATUS_HZ
            self._phased = True
            self.status = video.status(self.stream_id)
            self.status_reads += 1
        after = self.frame.seq if self.frame is not None else -1
        frame = video.frame(self.stream_id, after_seq=after)
        if frame is None:
            return False
        # Order matters: the new array is referenced by ``frame`` before the old image goes away.
        self.frame = frame
        self.image = frame_to_qimage(frame.image)
        self.displayed.mark(now)
        return True

    def request_size(self, video: VideoPipeline | None, width: int, height: int) -> None:
        """Ask the worker for frames of ``width`` x ``height`` so painting needs no scaling."""
        if self.stream_id is None or video is None or (width, height) == self._requested_size:
            return
        worker = video.worker(self.stream_id)
        setter = getattr(worker, "set_output_size", None)
        if callable(setter):
            setter(width, height)
            self._requested_size = (width, height)

    def native_size(self) -> tuple[int, int] | None:
        """The source's own resolution, as the worker measured it (for the aspect ratio of the picture)."""
        if self.status is not None and self.status.qos.width and self.status.qos.height:
            return self.status.qos.width, self.status.qos.height
        if self.frame is not None:
            return self.frame.width, self.frame.height
        return None
