"""Notices that places publish to their registrants.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:43:54.272795
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("interest_mask", sa.Integer(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("starts_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("published_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.CheckConstraint("audience IN ('ALL', 'PREMIUM')", name=op.f("ck_notice_audience")),
        sa.CheckConstraint(
            "kind IN ('EVENT', 'CONTRIBUTOR_RECRUITMENT', 'NEWS', 'SUPPORT')",
            name=op.f("ck_notice_kind"),
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at",
            name=op.f("ck_notice_period"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_notice_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notice_feed", ["municipality_code", "published_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_feed")

    op.drop_table("notice")
