"""usage hours

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 20:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COUNTERS = (
    "uploads",
    "transformations",
    "requests",
    "transfer_bytes",
    "cache_hits",
    "cache_misses",
    "storage_bytes_added",
    "storage_bytes_removed",
)


def upgrade() -> None:
    op.create_table(
        "usage_hours",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _COUNTERS),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_usage_hours_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment_id", "hour", name=op.f("pk_usage_hours")),
    )


def downgrade() -> None:
    op.drop_table("usage_hours")
