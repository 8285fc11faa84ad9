"""What the video pipeline hands to its consumers: frames with their telemetry, and measured status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from groundstation.domain.models import StreamQos, StreamState
from groundstation.domain.telemetry import TelemetrySample


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One decoded frame. ``image`` is a numpy BGR array of shape (height, width, 3), uint8 (the domain does
    not import numpy). It is never written to after the frame is published, so readers may share it."""

    image: Any
    seq: int
    captured_mono: float
    captured_at: datetime
    width: int
    height: int
    pts_s: float | None = None
    # The linked session's newest sample when the frame was decoded (None if unlinked or nothing yet).
    telemetry: TelemetrySample | None = None


@dataclass(frozen=True, slots=True)
class StreamStatus:
    state: StreamState
    qos: StreamQos = field(default_factory=StreamQos)
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class QosSnapshot:
    """A stream's measured status at one moment, stored every few seconds so QoS history can be read later."""

    stream_id: str
    at: datetime
    state: StreamState
    qos: StreamQos
    last_error: str | None = None
