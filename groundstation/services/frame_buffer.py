"""A short FIFO of frames between a decode worker's thread and a recorder's thread.

A recording must get every frame in order at native size, unlike a viewer, who wants only the newest one.
The worker pushes through its frame tap; the recorder takes the next frame after the one it has. Bounded:
a recorder that falls more than ``capacity`` frames behind loses the oldest, and the loss is counted.
"""

from __future__ import annotations

import threading
from collections import deque

from groundstation.domain.video import VideoFrame


class FrameBuffer:
    def __init__(self, capacity: int = 90) -> None:
        self._frames: deque[VideoFrame] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self.dropped = 0

    def push(self, frame: VideoFrame) -> None:
        """The worker's tap: never blocks beyond the lock."""
        with self._lock:
            if len(self._frames) == self._frames.maxlen:
                self.dropped += 1
            self._frames.append(frame)

    def next_after(self, seq: int) -> VideoFrame | None:
        """The oldest buffered frame newer than ``seq`` (a ``FrameSource`` for the recorder)."""
        with self._lock:
            while self._frames and self._frames[0].seq <= seq:
                self._frames.popleft()
            return self._frames.popleft() if self._frames else None
