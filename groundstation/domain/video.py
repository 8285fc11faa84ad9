"""What the video pipeline hands to its consumers: frames with their telemetry, and measured status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
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


@dataclass(frozen=True, slots=True)
class RecordingProgress:
    """What a running (or finished) recording has written so far."""

    frames: int = 0
    size_bytes: int = 0
    duration_s: float = 0.0
    error: str | None = None
    finished: bool = False


class RecordingState(StrEnum):
    RECORDING = "recording"
    FINISHED = "finished"
    FAILED = "failed"
    # The process died while recording: the file is playable up to its last written frame.
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    id: str
    stream_id: str | None
    stream_name: str
    path: str
    sidecar_path: str
    mode: str
    state: RecordingState
    started_at: datetime
    stopped_at: datetime | None = None
    frames: int = 0
    size_bytes: int = 0
    duration_s: float = 0.0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    stream_id: str
    path: str
    sidecar_path: str
    taken_at: datetime
    width: int
    height: int
