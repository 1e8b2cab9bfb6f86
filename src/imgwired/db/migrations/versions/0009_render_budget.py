"""render budget: frames and orientation of images

Revision ID: 0009_render_budget
Revises: 0008_upload_claim_leases
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_render_budget"
down_revision = "0008_upload_claim_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("orientation", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_column("orientation")
        batch_op.drop_column("pages")
