"""A generated feed (``synthetic://``) that behaves like an OpenCV capture, so the demo needs no network.

It must stay cheap beside real decoders: the static pattern is rendered once, and each frame copies it and
draws only the moving ball, the wall time and the frame counter. Frames are paced at the requested rate
against the monotonic clock (a late frame is not made up for by a burst).
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from groundstation.adapters.video.source_spec import SyntheticOptions

_NOISE_FRAMES = 8


class SyntheticCapture:
    """Implements the ``Capture`` protocol of ``captures.py``."""

    def __init__(self, options: SyntheticOptions, stop: threading.Event) -> None:
        self._options = options
        self._stop = stop
        self._count = 0
        self._period = 1.0 / options.fps
        self._next_due = time.monotonic()
        self._backgrounds = _render(options.pattern, options.width, options.height)
        self._open = True

    def isOpened(self) -> bool:
        return self._open

    def read(self) -> tuple[bool, Any]:
        if not self._open:
            return False, None
        delay = self._next_due - time.monotonic()
        if delay > 0 and self._stop.wait(delay):
            return False, None
        now = time.monotonic()
        # Stay on the grid, but never queue up frames after a pause (a slow consumer, a suspended laptop).
        self._next_due = max(self._next_due + self._period, now)
        frame = self._draw(self._count)
        self._count += 1
        return True, frame

    def get(self, prop: int) -> float:
        values = {
            cv2.CAP_PROP_FRAME_WIDTH: self._options.width,
            cv2.CAP_PROP_FRAME_HEIGHT: self._options.height,
            cv2.CAP_PROP_FPS: self._options.fps,
            cv2.CAP_PROP_POS_MSEC: max(self._count - 1, 0) * 1000.0 / self._options.fps,
            cv2.CAP_PROP_POS_FRAMES: self._count,
        }
        return float(values.get(prop, 0.0))

    def set(self, prop: int, value: float) -> bool:
        return False

    def release(self) -> None:
        self._open = False

    def _draw(self, n: int) -> Any:
        width, height = self._options.width, self._options.height
        frame = self._backgrounds[n % len(self._backgrounds)].copy()
        scale = height / 720
        if self._options.pattern == "ball":
            t = n / self._options.fps
            radius = max(int(40 * scale), 4)
            x = int((width / 2 - radius) * math.sin(t * 1.3)) + width // 2
            y = int((height / 2 - radius) * math.sin(t * 2.1 + 0.5)) + height // 2
            cv2.circle(frame, (x, y), radius, (40, 200, 255), -1, cv2.LINE_AA)
        stamp = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
        text = f"{stamp}  #{n}"
        font_scale = max(scale, 0.4)
        origin = (int(16 * scale) + 4, height - int(20 * scale) - 4)
        cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 1, cv2.LINE_AA)
        return frame


def _render(pattern: str, width: int, height: int) -> list[Any]:
    """The static part of each frame, rendered once (several frames for noise, cycled)."""
    if pattern == "noise":
        rng = np.random.default_rng(7)
        return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(_NOISE_FRAMES)]
    if pattern == "bars":
        colors = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0), (192, 0, 192), (0, 0, 192), (192, 0, 0)]
        image = np.zeros((height, width, 3), dtype=np.uint8)
        for i, color in enumerate(colors):
            image[:, i * width // len(colors) : (i + 1) * width // len(colors)] = color
        return [image]
    if pattern == "checker":
        cell = max(min(width, height) // 9, 2)
        ys, xs = np.indices((height, width))
        mask = ((ys // cell + xs // cell) % 2).astype(np.uint8) * 200 + 30
        return [np.repeat(mask[:, :, None], 3, axis=2)]
    if pattern == "gradient":
        row = np.linspace(0, 255, width, dtype=np.float32)
        col = np.linspace(0, 255, height, dtype=np.float32)
        image = np.empty((height, width, 3), dtype=np.uint8)
        image[:, :, 0] = row[None, :]
        image[:, :, 1] = col[:, None]
        image[:, :, 2] = 128
        return [image]
    image = np.full((height, width, 3), (60, 45, 30), dtype=np.uint8)  # ball: a dark field with a grid
    step = max(width // 16, 8)
    image[:, ::step] = (90, 75, 60)
    image[::step, :] = (90, 75, 60)
    return [image]
