"""What tiles and overlays say, as pure functions: every stream state, every unknown value."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from groundstation.domain.models import (
    AdapterKind,
    ConnectionSpec,
    DeviceSession,
    SessionState,
    StreamQos,
    StreamState,
    VideoStream,
)
from groundstation.domain.telemetry import GpsFix, TelemetrySample
from groundstation.domain.video import StreamStatus
from groundstation.ui.video.overlay_model import overlay_model
from groundstation.ui.video.stream_messages import Level, qos_badge, tile_message

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STREAM = VideoStream("str_1", "cam", "rtsp://10.0.0.1/x", NOW, NOW)
SESSION = DeviceSession(
    "ses_1", "alpha", AdapterKind.FAKE, ConnectionSpec("fake://alpha", "fake", "fake:alpha"), SessionState.ACTIVE, NOW
)


@pytest.mark.parametrize(
    ("state", "error", "has_frame", "text", "level"),
    [
        (StreamState.LIVE, None, True, None, None),
        (StreamState.LIVE, None, False, "connecting", Level.INFO),
        (StreamState.CONNECTING, None, False, "connecting", Level.INFO),
        (StreamState.IDLE, None, False, "connecting", Level.INFO),
        (StreamState.STALLED, None, True, "no signal", Level.WARN),
        (StreamState.ERROR, "connection refused", True, "error: connection refused", Level.BAD),
        (StreamState.DISABLED, None, False, "disabled", Level.INFO),
    ],
)
def test_tile_message_for_each_state(
    state: StreamState, error: str | None, has_frame: bool, text: str | None, level: Level | None
) -> None:
    message = tile_message(STREAM, StreamStatus(state, last_error=error), has_frame=has_frame, video_running=True)
    assert (message.text, message.level) == (text, level) if message else text is None


def test_reconnecting_counts_down_and_a_stale_frame_is_never_the_answer() -> None:
    qos = StreamQos(next_attempt_at=NOW + timedelta(seconds=4.2))
    message = tile_message(
        STREAM, StreamStatus(StreamState.RECONNECTING, qos), has_frame=True, video_running=True, now=NOW
    )
    assert message is not None and message.text == "reconnecting in 5 s"
    assert tile_message(None, None, has_frame=False, video_running=True).text == "drop a stream here"  # type: ignore[union-attr]
    no_video = tile_message(STREAM, None, has_frame=False, video_running=False)
    assert no_video is not None and "video is off" in no_video.text
    stored_error = replace(STREAM, state=StreamState.ERROR, last_error="404 not found")
    assert tile_message(stored_error, None, has_frame=False, video_running=True).text == "error: 404 not found"  # type: ignore[union-attr]


def test_qos_badge() -> None:
    qos = StreamQos(decoded_fps=29.7, frame_age_p50_ms=41.0, frames_dropped=1)
    assert qos_badge(StreamStatus(StreamState.LIVE, qos), 29.9) == "LIVE  30/30 fps  41 ms  1 drop"
    assert qos_badge(StreamStatus(StreamState.RECONNECTING, StreamQos(reconnects=2)), 0) == "RECONNECTING  2 reconnects"
    assert qos_badge(None, 0) == "no worker"


def test_overlay_text_unknowns_stale_and_battery() -> None:
    sample = TelemetrySample(
        "ses_1",
        NOW,
        alt_rel_m=42.25,
        heading_deg=271.4,
        groundspeed_mps=5.04,
        climb_mps=-0.4,
        battery_pct=21.0,
        battery_v=14.8,
        mode="AUTO",
        armed=True,
        gps_fix=GpsFix.FIX_3D,
        satellites=14,
        link_quality_pct=97.0,
    )
    model = overlay_model(SESSION, sample, now=NOW + timedelta(seconds=1))
    assert model.fields == {
        "mode": "AUTO",
        "armed": "ARMED",
        "hdg": "HDG 271° W",
        "alt": "ALT 42.2 m",
        "gs": "GS 5.0 m/s",
        "vs": "VS -0.4 m/s",
        "bat": "BAT 21% 14.8 V",
        "gps": "GPS 3D 14 sat",
        "link": "LINK 97%",
    }
    assert not model.stale and model.battery_level == "low"
    unknown = overlay_model(SESSION, TelemetrySample("ses_1", NOW), now=NOW)
    assert unknown.fields["alt"] == "ALT -- m" and unknown.fields["armed"] == "ARM --"
    assert unknown.battery_level == "unknown"
    assert overlay_model(SESSION, sample, now=NOW + timedelta(seconds=10)).stale
    stopped = replace(SESSION, state=SessionState.STOPPED)
    assert "[stopped, stale]" in overlay_model(stopped, sample, now=NOW).text()
    assert overlay_model(SESSION, None).fields == {"status": "no telemetry"}
