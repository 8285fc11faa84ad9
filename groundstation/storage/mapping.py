"""Conversions between ORM rows and the domain's frozen dataclasses.

Kept apart from the repositories so that the one place that knows both shapes is short enough to check
field by field against the dataclasses when either side changes.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import (
    AdapterKind,
    ApiToken,
    AuditEntry,
    ConnectionSpec,
    DeviceSession,
    Outcome,
    Role,
    SessionState,
    StreamQos,
    StreamState,
    VehicleIdentity,
    VideoStream,
)
from groundstation.domain.telemetry import TELEMETRY_FIELDS, GpsFix, TelemetrySample
from groundstation.domain.video import QosSnapshot, RecordingInfo, RecordingState
from groundstation.storage.orm import (
    ApiTokenRow,
    AuditRow,
    EventRow,
    QosSnapshotRow,
    RecordingRow,
    SessionRow,
    StreamRow,
    TelemetryRow,
)


def session_values(s: DeviceSession) -> dict[str, Any]:
    """Every column of a session row, including the derived ``live_device_key`` the constraint relies on."""
    return {
        "id": s.id,
        "name": s.name,
        "adapter": s.adapter.value,
        "url": s.connection.url,
        "scheme": s.connection.scheme,
        "device_key": s.connection.device_key,
        "endpoint_key": s.connection.endpoint_key,
        "options": dict(s.connection.options),
        "state": s.state.value,
        "live_device_key": s.connection.device_key if s.state.is_live else None,
        "system_id": s.identity.system_id,
        "component_id": s.identity.component_id,
        "autopilot": s.identity.autopilot,
        "vehicle_type": s.identity.vehicle_type,
        "firmware": s.identity.firmware,
        "created_at": s.created_at,
        "started_at": s.started_at,
        "stopped_at": s.stopped_at,
        "last_error": s.last_error,
        "version": s.version,
    }


def session_from_row(row: SessionRow | Row[Any]) -> DeviceSession:
    """From an ORM row or a plain row of every column (lists read those: no ORM object per row)."""
    return DeviceSession(
        id=row.id,
        name=row.name,
        adapter=AdapterKind(row.adapter),
        connection=ConnectionSpec(
            url=row.url,
            scheme=row.scheme,
            device_key=row.device_key,
            endpoint_key=row.endpoint_key,
            options=dict(row.options),
        ),
        state=SessionState(row.state),
        created_at=row.created_at,
        identity=VehicleIdentity(
            system_id=row.system_id,
            component_id=row.component_id,
            autopilot=row.autopilot,
            vehicle_type=row.vehicle_type,
            firmware=row.firmware,
        ),
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        last_error=row.last_error,
        version=row.version,
    )


def qos_to_json(qos: StreamQos) -> dict[str, Any]:
    data = asdict(qos)
    if qos.next_attempt_at is not None:
        data["next_attempt_at"] = qos.next_attempt_at.isoformat()
    return data


def qos_from_json(data: dict[str, Any]) -> StreamQos:
    # Ignore keys this release does not know, so a QoS figure added later never breaks an older reader.
    known = {k: v for k, v in data.items() if k in StreamQos.__dataclass_fields__}
    if known.get("next_attempt_at") is not None:
        known["next_attempt_at"] = datetime.fromisoformat(known["next_attempt_at"])
    return StreamQos(**known)


def stream_values(v: VideoStream) -> dict[str, Any]:
    return {
        "id": v.id,
        "name": v.name,
        "url": v.url,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "linked_session_id": v.linked_session_id,
        "enabled": v.enabled,
        "recording": v.recording,
        "state": v.state.value,
        "qos": qos_to_json(v.qos),
        "last_error": v.last_error,
        "version": v.version,
    }


def stream_from_row(row: StreamRow | Row[Any]) -> VideoStream:
    """From an ORM row or a plain row of every column (lists read those: no ORM object per row)."""
    return VideoStream(
        id=row.id,
        name=row.name,
        url=row.url,
        created_at=row.created_at,
        updated_at=row.updated_at,
        linked_session_id=row.linked_session_id,
        enabled=row.enabled,
        recording=row.recording,
        state=StreamState(row.state),
        qos=qos_from_json(row.qos),
        last_error=row.last_error,
        version=row.version,
    )


def audit_row(e: AuditEntry) -> AuditRow:
    return AuditRow(**audit_values(e))


def audit_values(e: AuditEntry) -> dict[str, Any]:
    """The columns of an audit row, for a Core insert of many at once."""
    return {
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "target_id": e.target_id,
        "outcome": e.outcome.value,
        "detail": dict(e.detail),
    }


def audit_from_row(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target_id=row.target_id,
        outcome=Outcome(row.outcome),
        detail=dict(row.detail),
    )


def event_row(e: IntegrationEvent) -> EventRow:
    return EventRow(
        id=e.id,
        at=e.at,
        kind=e.kind.value,
        subject_id=e.subject_id,
        severity=e.severity.value,
        data=dict(e.data),
    )


def event_from_row(row: EventRow) -> IntegrationEvent:
    return IntegrationEvent(
        id=row.id,
        at=row.at,
        kind=EventKind(row.kind),
        subject_id=row.subject_id,
        severity=Severity(row.severity),
        data=dict(row.data),
        seq=row.seq,
    )


def telemetry_values(sample: TelemetrySample) -> dict[str, Any]:
    values = {name: getattr(sample, name) for name in TELEMETRY_FIELDS}
    if sample.gps_fix is not None:
        values["gps_fix"] = int(sample.gps_fix)
    return values


def telemetry_from_row(row: TelemetryRow) -> TelemetrySample:
    values = {name: getattr(row, name) for name in TELEMETRY_FIELDS}
    if row.gps_fix is not None:
        values["gps_fix"] = GpsFix(row.gps_fix)
    return TelemetrySample(**values)


def qos_snapshot_row(snapshot: QosSnapshot) -> QosSnapshotRow:
    return QosSnapshotRow(
        stream_id=snapshot.stream_id,
        at=snapshot.at,
        state=snapshot.state.value,
        qos=qos_to_json(snapshot.qos),
        last_error=snapshot.last_error,
    )


def qos_snapshot_from_row(row: QosSnapshotRow) -> QosSnapshot:
    return QosSnapshot(
        stream_id=row.stream_id,
        at=row.at,
        state=StreamState(row.state),
        qos=qos_from_json(row.qos),
        last_error=row.last_error,
    )


def recording_values(r: RecordingInfo) -> dict[str, Any]:
    return {
        "id": r.id,
        "stream_id": r.stream_id,
        "stream_name": r.stream_name,
        "path": r.path,
        "sidecar_path": r.sidecar_path,
        "mode": r.mode,
        "state": r.state.value,
        "started_at": r.started_at,
        "stopped_at": r.stopped_at,
        "frames": r.frames,
        "size_bytes": r.size_bytes,
        "duration_s": r.duration_s,
        "error": r.error,
    }


def recording_from_row(row: RecordingRow) -> RecordingInfo:
    return RecordingInfo(
        id=row.id,
        stream_id=row.stream_id,
        stream_name=row.stream_name,
        path=row.path,
        sidecar_path=row.sidecar_path,
        mode=row.mode,
        state=RecordingState(row.state),
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        frames=row.frames,
        size_bytes=row.size_bytes,
        duration_s=row.duration_s,
        error=row.error,
    )


def token_values(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "role": t.role.value,
        "token_hash": t.token_hash,
        "created_at": t.created_at,
        "revoked_at": t.revoked_at,
        "last_used_at": t.last_used_at,
    }


def token_from_row(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        token_hash=row.token_hash,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
