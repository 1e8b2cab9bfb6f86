"""download zips: reuse by content, expiry sweep

Revision ID: 0007_downloads
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_downloads"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("image_download_jobs") as batch:
        batch.add_column(sa.Column("content_key", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_image_download_jobs_environment_id_content_key",
        "image_download_jobs",
        ["environment_id", "content_key"],
    )
    op.create_index("ix_image_download_jobs_expires_at", "image_download_jobs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_image_download_jobs_expires_at", table_name="image_download_jobs")
    op.drop_index(
        "ix_image_download_jobs_environment_id_content_key", table_name="image_download_jobs"
    )
    with op.batch_alter_table("image_download_jobs") as batch:
        batch.drop_column("content_key")
