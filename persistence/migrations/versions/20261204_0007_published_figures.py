"""Figures as published to everyone but a place's own staff: computed for all places at once,
so that no suppressed count can be found by subtracting across places. Filled by the first
publication (the server publishes at start, then every few minutes).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from persistence.types import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_figures",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("published_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_published_figures")),
    )


def downgrade() -> None:
    op.drop_table("published_figures")
