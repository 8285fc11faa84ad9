"""What a tile says instead of a picture: "connecting", "no signal", "reconnecting in N s", "error: ...".

An operator must never mistake a frozen frame for live video, so whenever the stream is not live with a
fresh frame the tile drops the picture and shows one of these lines, coloured by how bad it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from groundstation.domain.models import StreamState, VideoStream
from groundstation.domain.video import StreamStatus


class Level(StrEnum):
    INFO = "info"
    WARN = "warn"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class TileMessage:
    text: str
    level: Level


def tile_message(
    stream: VideoStream | None,
    status: StreamStatus | None,
    *,
    has_frame: bool,
    video_running: bool,
    now: datetime | None = None,
) -> TileMessage | None:
    """The line to show for this stream, or None when its picture is live and should be painted."""
    if stream is None:
        return TileMessage("drop a stream here", Level.INFO)
    if not stream.enabled:
        return TileMessage("disabled", Level.INFO)
    if not video_running:
        return TileMessage("video is off in this window", Level.INFO)
    if status is None:
        if stream.state is StreamState.ERROR:
            return TileMessage(f"error: {stream.last_error or 'unknown'}", Level.BAD)
        return TileMessage("connecting", Level.INFO)
    state = status.state
    if state is StreamState.LIVE:
        return None if has_frame else TileMessage("connecting", Level.INFO)
    if state in (StreamState.IDLE, StreamState.CONNECTING):
        return TileMessage("connecting", Level.INFO)
    if state is StreamState.STALLED:
        return TileMessage("no signal", Level.WARN)
    if state is StreamState.RECONNECTING:
        when = status.qos.next_attempt_at
        if when is None:
            return TileMessage("reconnecting", Level.WARN)
        left = (when - (now or datetime.now(UTC))).total_seconds()
        return TileMessage(f"reconnecting in {max(0, math.ceil(left))} s", Level.WARN)
    if state is StreamState.ERROR:
        return TileMessage(f"error: {status.last_error or 'unknown'}", Level.BAD)
    return TileMessage("disabled", Level.INFO)


def qos_badge(status: StreamStatus | None, displayed_fps: float) -> str:
    """The small line in a tile's corner: state, frame rate shown/decoded, frame age, drops."""
    if status is None:
        return "no worker"
    qos = status.qos
    parts = [status.state.value.upper()]
    if status.state is StreamState.LIVE:
        decoded = f"/{qos.decoded_fps:.0f}" if qos.decoded_fps is not None else ""
        parts.append(f"{displayed_fps:.0f}{decoded} fps")
        if qos.frame_age_p50_ms is not None:
            parts.append(f"{qos.frame_age_p50_ms:.0f} ms")
        parts.append(f"{qos.frames_dropped} drop{'s' if qos.frames_dropped != 1 else ''}")
    elif qos.reconnects:
        parts.append(f"{qos.reconnects} reconnect{'s' if qos.reconnects != 1 else ''}")
    return "  ".join(parts)
