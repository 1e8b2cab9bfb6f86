"""image search: live images by file name, and by status in list order

Revision ID: 0015_image_name_index
Revises: 0014_dashboard_sessions
Create Date: 2026-12-16 09:00:00

The dashboard finds images by the start of their file name and filters them by status; at a
million images both must read a few index entries, never the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_image_name_index"
down_revision = "0014_dashboard_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("images") as batch:
        batch.create_index(
            "ix_images_live_name",
            ["environment_id", "original_filename", "id"],
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch.create_index(
            "ix_images_live_status",
            ["environment_id", "status", "list_seq"],
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("images") as batch:
        batch.drop_index("ix_images_live_status")
        batch.drop_index("ix_images_live_name")
