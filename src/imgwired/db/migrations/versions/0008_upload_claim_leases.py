"""upload claim leases

Revision ID: 0008_upload_claim_leases
Revises: 0007_downloads
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_upload_claim_leases"
down_revision = "0007_downloads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upload_claim_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("upload_lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_column("upload_lease_expires_at")
        batch_op.drop_column("upload_claim_id")
