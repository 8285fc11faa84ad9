"""QoS snapshots of video streams, stored every few seconds for later inspection.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "stream_qos_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stream_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("qos", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["video_streams.id"],
            name=op.f("fk_stream_qos_snapshots_stream_id_video_streams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_qos_snapshots")),
    )
    op.create_index("ix_stream_qos_snapshots_stream_id_at", "stream_qos_snapshots", ["stream_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_stream_qos_snapshots_stream_id_at", table_name="stream_qos_snapshots")
    op.drop_table("stream_qos_snapshots")
