"""derived images

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derived_images",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("image_id", sa.Uuid(), nullable=False),
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=512), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_derived_images_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_derived_images_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_derived_images")),
        sa.UniqueConstraint("image_id", "variant", name=op.f("uq_derived_images_image_id")),
    )
    with op.batch_alter_table("derived_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_derived_images_environment_id"), ["environment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("derived_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_derived_images_environment_id"))
    op.drop_table("derived_images")
