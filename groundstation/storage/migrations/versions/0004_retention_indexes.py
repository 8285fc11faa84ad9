"""Indexes for retention: old access records and old events are found by a range, not a full scan.

Telemetry and QoS snapshots need none: retention reaches them through their existing (session_id, time) and
(stream_id, at) indexes, one owner at a time.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_audit_entries_action_at", "audit_entries", ["action", "at"])
    op.create_index(op.f("ix_integration_events_at"), "integration_events", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_integration_events_at"), table_name="integration_events")
    op.drop_index("ix_audit_entries_action_at", table_name="audit_entries")
