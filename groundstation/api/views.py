"""Domain values as the JSON the API returns (documented by ``schemas``): plain dicts, built fast.

Returning dicts straight to ``JSONResponse`` skips a second validation pass over data the services already
checked, which keeps a page of 100 sessions cheap; the schemathesis test keeps them honest against the
documented schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from groundstation.domain.events import IntegrationEvent
from groundstation.domain.models import AuditEntry, DeviceSession, LinkStats, StreamQos, VideoStream
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import StreamStatus


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def session_view(s: DeviceSession) -> dict[str, Any]:
    i = s.identity
    return {
        "id": s.id,
        "name": s.name,
        "adapter": s.adapter.value,
        "state": s.state.value,
        "connection": {"url": s.connection.url, "scheme": s.connection.scheme},
        "identity": {
            "system_id": i.system_id,
            "component_id": i.component_id,
            "autopilot": i.autopilot,
            "vehicle_type": i.vehicle_type,
            "firmware": i.firmware,
        },
        "created_at": s.created_at.isoformat(),
        "started_at": _iso(s.started_at),
        "stopped_at": _iso(s.stopped_at),
        "last_error": s.last_error,
    }


def telemetry_view(sample: TelemetrySample | None) -> dict[str, Any] | None:
    return None if sample is None else sample.to_dict()


def qos_view(q: StreamQos) -> dict[str, Any]:
    return {
        "source_fps": q.source_fps,
        "decoded_fps": q.decoded_fps,
        "frames_decoded": q.frames_decoded,
        "frames_dropped": q.frames_dropped,
        "frame_age_p50_ms": q.frame_age_p50_ms,
        "frame_age_p95_ms": q.frame_age_p95_ms,
        "stalls": q.stalls,
        "reconnects": q.reconnects,
        "width": q.width,
        "height": q.height,
        "codec": q.codec,
        "bitrate_kbps": q.bitrate_kbps,
        "next_attempt_at": _iso(q.next_attempt_at),
    }


def stream_view(v: VideoStream, live: StreamStatus | None, telemetry: TelemetrySample | None) -> dict[str, Any]:
    """``live`` is the decode worker's status when one runs here; otherwise the stored state is shown."""
    state, qos, error = (live.state, live.qos, live.last_error) if live is not None else (v.state, v.qos, v.last_error)
    return {
        "id": v.id,
        "name": v.name,
        "url": v.url,
        "linked_session_id": v.linked_session_id,
        "enabled": v.enabled,
        "recording": v.recording,
        "status": {"state": state.value, "last_error": error, "live": live is not None},
        "qos": qos_view(qos),
        "telemetry": telemetry_view(telemetry),
        "created_at": v.created_at.isoformat(),
        "updated_at": v.updated_at.isoformat(),
    }


def event_view(e: IntegrationEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "id": e.id,
        "at": e.at.isoformat(),
        "kind": e.kind.value,
        "subject_id": e.subject_id,
        "severity": e.severity.value,
        "data": e.data,
    }


def audit_view(a: AuditEntry) -> dict[str, Any]:
    return {
        "id": a.id,
        "at": a.at.isoformat(),
        "actor": a.actor,
        "action": a.action,
        "target_id": a.target_id,
        "outcome": a.outcome.value,
        "detail": a.detail,
    }


def link_stats_view(s: LinkStats | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "link": s.link,
        "shared_by": s.shared_by,
        "messages_in": s.messages_in,
        "messages_out": s.messages_out,
        "messages_in_per_s": s.messages_in_per_s,
        "messages_out_per_s": s.messages_out_per_s,
        "bytes_in": s.bytes_in,
        "bytes_out": s.bytes_out,
        "bad_frames": s.bad_frames,
        "lost_packets": s.lost_packets,
        "packet_loss_pct": s.packet_loss_pct,
        "rssi_pct": s.rssi_pct,
        "remote_rssi_pct": s.remote_rssi_pct,
        "dropped_out": s.dropped_out,
    }
