"""Certificate tokens kept once issued: a certificate's token is signed on its first read and
shown again until its signer changes, it nears its end, or the holder's name does.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from persistence.types import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_token",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("signer", sa.Text(), nullable=False),
        sa.Column("renew_after", UtcDateTime(timezone=True), nullable=False),
        sa.Column("jwt", sa.Text(), nullable=False),
        sa.Column("disclosures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_certificate_token_certificate_id_certificate"),
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificate_token")),
    )


def downgrade() -> None:
    op.drop_table("certificate_token")
