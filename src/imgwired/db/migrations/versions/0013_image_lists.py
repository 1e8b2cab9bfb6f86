"""image lists: each image's place in its environment's list, live counts per environment and
per block of places, and an index of live images only

Revision ID: 0013_image_lists
Revises: 0012_rate_limits
Create Date: 2026-12-15 09:00:00

Existing images get their places in the order of their ids (UUIDv7: the order they were created,
the order the list showed until now), deleted ones included, so that places stay unique.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_image_lists"
down_revision = "0012_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("images", sa.Column("list_seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "image_lists",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("live_count", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_image_lists_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment_id", name=op.f("pk_image_lists")),
    )
    op.create_table(
        "image_list_blocks",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("live_count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_image_list_blocks_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment_id", "block", name=op.f("pk_image_list_blocks")),
    )
    # Both databases take UPDATE ... FROM and window functions (SQLite since 3.33).
    op.execute(
        """
        UPDATE images SET list_seq = numbered.place
        FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY environment_id ORDER BY id) AS place
            FROM images
        ) AS numbered
        WHERE images.id = numbered.id
        """
    )
    op.execute(
        """
        INSERT INTO image_lists (environment_id, live_count, last_seq)
        SELECT environment_id,
               SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END),
               MAX(list_seq)
        FROM images GROUP BY environment_id
        """
    )
    # 1024: LIST_BLOCK_SIZE in db/image_models.py when this was written (blocks are numbered by it).
    op.execute(
        """
        INSERT INTO image_list_blocks (environment_id, block, live_count)
        SELECT environment_id, list_seq / 1024, COUNT(*)
        FROM images WHERE deleted_at IS NULL
        GROUP BY environment_id, list_seq / 1024
        """
    )
    with op.batch_alter_table("images") as batch:
        batch.alter_column("list_seq", existing_type=sa.BigInteger(), nullable=False)
        batch.create_index(
            "ix_images_live_list",
            ["environment_id", "list_seq", "id"],
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch.create_index(
            "ix_images_pending_uploads",
            ["upload_expires_at"],
            sqlite_where=sa.text("status = 'PENDING' AND deleted_at IS NULL"),
            postgresql_where=sa.text("status = 'PENDING' AND deleted_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("images") as batch:
        batch.drop_index("ix_images_pending_uploads")
        batch.drop_index("ix_images_live_list")
        batch.drop_column("list_seq")
    op.drop_table("image_list_blocks")
    op.drop_table("image_lists")
