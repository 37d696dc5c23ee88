"""Figures of related population, kept as registrations change; filled from the records.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from persistence import recount

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tally",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "figure", "shard", name=op.f("pk_tally")),
    )
    op.create_table(
        "tally_member",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("registrations", sa.Integer(), nullable=False),
        sa.Column("premium", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_tally_member_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("scope", "resident_id", name=op.f("pk_tally_member")),
    )
    with op.batch_alter_table("tally_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tally_member_resident_id"), ["resident_id"], unique=False
        )

    # Registrations made before this revision count too.
    recount.fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("tally_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tally_member_resident_id"))

    op.drop_table("tally_member")
    op.drop_table("tally")
