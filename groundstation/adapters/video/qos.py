"""Measuring what a stream delivers, cheaply enough to update per frame and read at display rate.

Per frame the worker only appends to bounded deques; the rates and percentiles are computed when someone
asks (``snapshot``), which happens a few times a second at most.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from groundstation.domain.models import StreamQos

_RATE_WINDOW_S = 2.0
_RATE_SAMPLES = 256
_AGE_SAMPLES = 512


@dataclass(slots=True)
class MediaInfo:
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    bitrate_kbps: float | None = None


class QosMeter:
    """Counters and bounded windows of one stream. Not thread-safe: the worker guards it with its lock."""

    def __init__(self) -> None:
        self.frames_decoded = 0
        self.frames_dropped = 0
        self.stalls = 0
        self.reconnects = 0
        self.media = MediaInfo()
        self.next_attempt_at: datetime | None = None
        self._arrivals: deque[float] = deque(maxlen=_RATE_SAMPLES)
        self._pts: deque[tuple[float, float]] = deque(maxlen=_RATE_SAMPLES)
        self._ages_ms: deque[float] = deque(maxlen=_AGE_SAMPLES)

    def on_frame(self, arrived_mono: float, pts_s: float | None) -> None:
        self.frames_decoded += 1
        self._arrivals.append(arrived_mono)
        if pts_s is not None:
            if self._pts and pts_s <= self._pts[-1][1]:
                self._pts.clear()  # a rewind or a new stream after reconnect: rates restart from here
            self._pts.append((arrived_mono, pts_s))

    def on_fetch(self, age_ms: float) -> None:
        self._ages_ms.append(age_ms)

    def on_restart(self) -> None:
        """A new capture: its timestamps do not continue the old one's."""
        self._pts.clear()

    def snapshot(self, now_mono: float) -> StreamQos:
        ages = sorted(self._ages_ms)
        return StreamQos(
            source_fps=self._source_fps(now_mono),
            decoded_fps=_rate([t for t in self._arrivals if now_mono - t <= _RATE_WINDOW_S], now_mono),
            frames_decoded=self.frames_decoded,
            frames_dropped=self.frames_dropped,
            frame_age_p50_ms=_percentile(ages, 0.50),
            frame_age_p95_ms=_percentile(ages, 0.95),
            stalls=self.stalls,
            reconnects=self.reconnects,
            width=self.media.width,
            height=self.media.height,
            codec=self.media.codec,
            bitrate_kbps=self.media.bitrate_kbps,
            next_attempt_at=self.next_attempt_at,
        )

    def _source_fps(self, now_mono: float) -> float | None:
        """From the source's own timestamps when it has them: network jitter does not bend the figure."""
        recent = [pts for arrived, pts in self._pts if now_mono - arrived <= _RATE_WINDOW_S]
        if len(recent) >= 3 and recent[-1] > recent[0]:
            return round((len(recent) - 1) / (recent[-1] - recent[0]), 2)
        arrivals = [t for t in self._arrivals if now_mono - t <= _RATE_WINDOW_S]
        return _rate(arrivals, now_mono) if len(arrivals) >= 3 else None


def _rate(times: list[float], now_mono: float) -> float | None:
    if not times:
        return 0.0
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return round((len(times) - 1) / (times[-1] - times[0]), 2)


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    index = min(int(q * len(ordered)), len(ordered) - 1)
    return round(ordered[index], 2)
