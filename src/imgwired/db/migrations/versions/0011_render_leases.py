"""render leases: which process renders a rendition now, when no Redis is configured

Revision ID: 0011_render_leases
Revises: 0010_watermarks
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_render_leases"
down_revision = "0010_watermarks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "render_leases",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_render_leases")),
    )


def downgrade() -> None:
    op.drop_table("render_leases")
