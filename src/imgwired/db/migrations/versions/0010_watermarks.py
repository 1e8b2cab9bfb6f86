"""derived images: the watermark image a rendition depends on

Revision ID: 0010_watermarks
Revises: 0009_render_budget
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_watermarks"
down_revision = "0009_render_budget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("derived_images") as batch:
        batch.add_column(sa.Column("watermark_image_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_derived_images_watermark_image_id"), ["watermark_image_id"])


def downgrade() -> None:
    with op.batch_alter_table("derived_images") as batch:
        batch.drop_index(batch.f("ix_derived_images_watermark_image_id"))
        batch.drop_column("watermark_image_id")
