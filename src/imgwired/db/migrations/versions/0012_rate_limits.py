"""environment rate limits: an environment's own limits per key, per address, per render

Revision ID: 0012_rate_limits
Revises: 0011_render_leases
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_rate_limits"
down_revision = "0011_render_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "environment_rate_limits",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("key_per_second", sa.Float(), nullable=True),
        sa.Column("key_burst", sa.Integer(), nullable=True),
        sa.Column("ip_per_second", sa.Float(), nullable=True),
        sa.Column("ip_burst", sa.Integer(), nullable=True),
        sa.Column("render_per_second", sa.Float(), nullable=True),
        sa.Column("render_burst", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_environment_rate_limits_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment_id", name=op.f("pk_environment_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("environment_rate_limits")
