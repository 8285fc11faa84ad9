"""The tables of one profile's database, as SQLAlchemy 2 typed mappings.

The conflict rules the services check are repeated here as constraints, so that a race between two writers
(or a bug in a service) ends in an IntegrityError the repositories turn into a ConflictError, never in two
live sessions on one vehicle. Everything stays portable SQL: enums are stored as their string values (a new
state needs no migration), and "one live session per device" is a plain UNIQUE on a column that is NULL
for sessions that are not live, instead of a partial index that only some databases support.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so a migration can drop or alter them by name on every database (SQLite batch mode
# needs the names to recreate a table, PostgreSQL to ALTER it).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and hands back aware UTC datetimes.

    SQLite keeps no time zone, and mixing naive and aware values in Python raises at comparison time far
    from the write that caused it. Normalizing here means the rest of the code only ever sees aware UTC,
    and refusing naive input stops a local time from being stored as if it were UTC.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime ({value.isoformat()}); use an aware UTC one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_ID = String(40)
_NAME = String(200)
_KEY = String(255)
_ENUM = String(32)


class SessionRow(Base):
    __tablename__ = "device_sessions"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    name: Mapped[str] = mapped_column(_NAME, unique=True)
    adapter: Mapped[str] = mapped_column(_ENUM)
    url: Mapped[str] = mapped_column(Text)
    scheme: Mapped[str] = mapped_column(_ENUM)
    device_key: Mapped[str] = mapped_column(_KEY, index=True)
    endpoint_key: Mapped[str | None] = mapped_column(_KEY)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(_ENUM)
    # Equals device_key while the session is live and NULL otherwise: UNIQUE ignores NULLs on every
    # database we care about, so this is "one live session per device" without a partial index.
    live_device_key: Mapped[str | None] = mapped_column(_KEY, unique=True)
    system_id: Mapped[int | None] = mapped_column(Integer)
    component_id: Mapped[int | None] = mapped_column(Integer)
    autopilot: Mapped[str | None] = mapped_column(String(64))
    vehicle_type: Mapped[str | None] = mapped_column(String(64))
    firmware: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class StreamRow(Base):
    __tablename__ = "video_streams"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    name: Mapped[str] = mapped_column(_NAME, unique=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A stream outlives the session it was linked to: deleting the session unlinks it.
    linked_session_id: Mapped[str | None] = mapped_column(
        _ID, ForeignKey("device_sessions.id", ondelete="SET NULL"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean)
    recording: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(_ENUM)
    qos: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    __tablename__ = "audit_entries"
    # (action, at): retention finds the old access records (three actions among many) without reading the
    # audit trail of writes it keeps, and the viewer's and the API's filters by action read one range.
    __table_args__ = (Index("ix_audit_entries_action_at", "action", "at"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(_NAME)
    action: Mapped[str] = mapped_column(_NAME)
    target_id: Mapped[str | None] = mapped_column(_ID)
    outcome: Mapped[str] = mapped_column(_ENUM)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class EventRow(Base):
    __tablename__ = "integration_events"
    # AUTOINCREMENT on SQLite so a seq is never reused after the newest rows are pruned: API clients page
    # with ``cursor=<seq>`` and must never see a new event under an old number. Other databases ignore it.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(_ID, unique=True)
    # Indexed for retention, which deletes by age; telemetry and QoS snapshots are found through their
    # (session_id, time) and (stream_id, at) indexes instead, and need no second index on time.
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(_ID)
    severity: Mapped[str] = mapped_column(_ENUM)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class TelemetryRow(Base):
    __tablename__ = "telemetry_samples"
    __table_args__ = (Index("ix_telemetry_samples_session_id_time", "session_id", "time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(_ID, ForeignKey("device_sessions.id", ondelete="CASCADE"))
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    lat_deg: Mapped[float | None] = mapped_column(Float)
    lon_deg: Mapped[float | None] = mapped_column(Float)
    alt_msl_m: Mapped[float | None] = mapped_column(Float)
    alt_rel_m: Mapped[float | None] = mapped_column(Float)
    roll_deg: Mapped[float | None] = mapped_column(Float)
    pitch_deg: Mapped[float | None] = mapped_column(Float)
    yaw_deg: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    groundspeed_mps: Mapped[float | None] = mapped_column(Float)
    airspeed_mps: Mapped[float | None] = mapped_column(Float)
    climb_mps: Mapped[float | None] = mapped_column(Float)
    battery_pct: Mapped[float | None] = mapped_column(Float)
    battery_v: Mapped[float | None] = mapped_column(Float)
    battery_a: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[str | None] = mapped_column(String(64))
    armed: Mapped[bool | None] = mapped_column(Boolean)
    system_status: Mapped[str | None] = mapped_column(String(64))
    gps_fix: Mapped[int | None] = mapped_column(Integer)
    satellites: Mapped[int | None] = mapped_column(Integer)
    hdop: Mapped[float | None] = mapped_column(Float)
    link_quality_pct: Mapped[float | None] = mapped_column(Float)
    home_lat_deg: Mapped[float | None] = mapped_column(Float)
    home_lon_deg: Mapped[float | None] = mapped_column(Float)


class QosSnapshotRow(Base):
    __tablename__ = "stream_qos_snapshots"
    __table_args__ = (Index("ix_stream_qos_snapshots_stream_id_at", "stream_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stream_id: Mapped[str] = mapped_column(_ID, ForeignKey("video_streams.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(_ENUM)
    qos: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)


class RecordingRow(Base):
    __tablename__ = "recordings"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    # A recording outlives its stream: the file is still on disk after the stream is deleted.
    stream_id: Mapped[str | None] = mapped_column(_ID, ForeignKey("video_streams.id", ondelete="SET NULL"), index=True)
    stream_name: Mapped[str] = mapped_column(_NAME)
    path: Mapped[str] = mapped_column(Text)
    sidecar_path: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(_ENUM)
    state: Mapped[str] = mapped_column(_ENUM)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    frames: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(_NAME, primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    name: Mapped[str] = mapped_column(_NAME, unique=True)
    role: Mapped[str] = mapped_column(_ENUM)
    # Only the hash is stored; unique so a lookup by presented token finds at most one row.
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
