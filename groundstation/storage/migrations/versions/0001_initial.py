"""Initial schema: sessions, streams, audit, events, telemetry, settings, API tokens.

Revision ID: 0001
Revises:

Migrations freeze the schema as it was, so they spell types out (``sa.DateTime`` for the ORM's UtcDateTime,
which stores naive UTC) instead of importing the ORM, whose classes will keep changing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.String(length=40)
_NAME = sa.String(length=200)
_KEY = sa.String(length=255)
_ENUM = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "device_sessions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("adapter", _ENUM, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("scheme", _ENUM, nullable=False),
        sa.Column("device_key", _KEY, nullable=False),
        sa.Column("endpoint_key", _KEY, nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("state", _ENUM, nullable=False),
        sa.Column("live_device_key", _KEY, nullable=True),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("component_id", sa.Integer(), nullable=True),
        sa.Column("autopilot", sa.String(length=64), nullable=True),
        sa.Column("vehicle_type", sa.String(length=64), nullable=True),
        sa.Column("firmware", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_sessions")),
        sa.UniqueConstraint("live_device_key", name=op.f("uq_device_sessions_live_device_key")),
        sa.UniqueConstraint("name", name=op.f("uq_device_sessions_name")),
    )
    op.create_index(op.f("ix_device_sessions_device_key"), "device_sessions", ["device_key"])

    op.create_table(
        "video_streams",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("linked_session_id", _ID, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("recording", sa.Boolean(), nullable=False),
        sa.Column("state", _ENUM, nullable=False),
        sa.Column("qos", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_session_id"],
            ["device_sessions.id"],
            name=op.f("fk_video_streams_linked_session_id_device_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_streams")),
        sa.UniqueConstraint("name", name=op.f("uq_video_streams_name")),
    )
    op.create_index(op.f("ix_video_streams_linked_session_id"), "video_streams", ["linked_session_id"])

    op.create_table(
        "audit_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", _NAME, nullable=False),
        sa.Column("action", _NAME, nullable=False),
        sa.Column("target_id", _ID, nullable=True),
        sa.Column("outcome", _ENUM, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])

    op.create_table(
        "integration_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", _ID, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject_id", _ID, nullable=True),
        sa.Column("severity", _ENUM, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_integration_events")),
        sa.UniqueConstraint("id", name=op.f("uq_integration_events_id")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "telemetry_samples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", _ID, nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        *(
            sa.Column(name, sa.Float(), nullable=True)
            for name in (
                "lat_deg",
                "lon_deg",
                "alt_msl_m",
                "alt_rel_m",
                "roll_deg",
                "pitch_deg",
                "yaw_deg",
                "heading_deg",
                "groundspeed_mps",
                "airspeed_mps",
                "climb_mps",
                "battery_pct",
                "battery_v",
                "battery_a",
            )
        ),
        sa.Column("mode", sa.String(length=64), nullable=True),
        sa.Column("armed", sa.Boolean(), nullable=True),
        sa.Column("system_status", sa.String(length=64), nullable=True),
        sa.Column("gps_fix", sa.Integer(), nullable=True),
        sa.Column("satellites", sa.Integer(), nullable=True),
        sa.Column("hdop", sa.Float(), nullable=True),
        sa.Column("link_quality_pct", sa.Float(), nullable=True),
        sa.Column("home_lat_deg", sa.Float(), nullable=True),
        sa.Column("home_lon_deg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["device_sessions.id"],
            name=op.f("fk_telemetry_samples_session_id_device_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_samples")),
    )
    op.create_index("ix_telemetry_samples_session_id_time", "telemetry_samples", ["session_id", "time"])

    op.create_table(
        "settings",
        sa.Column("key", _NAME, nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("role", _ENUM, nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("settings")
    op.drop_index("ix_telemetry_samples_session_id_time", table_name="telemetry_samples")
    op.drop_table("telemetry_samples")
    op.drop_table("integration_events")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index(op.f("ix_video_streams_linked_session_id"), table_name="video_streams")
    op.drop_table("video_streams")
    op.drop_index(op.f("ix_device_sessions_device_key"), table_name="device_sessions")
    op.drop_table("device_sessions")
