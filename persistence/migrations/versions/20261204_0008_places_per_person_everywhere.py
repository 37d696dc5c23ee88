"""How many places each registrant has, counted in every place (it was the nation's only):
the figures are counted afresh from the records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

from persistence import recount

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM tally")
    op.execute("DELETE FROM tally_member")
    recount.fill(op.get_bind())


def downgrade() -> None:
    # The nation's count of places per person is what the revision before keeps.
    op.execute("DELETE FROM tally WHERE figure LIKE 'places:%' AND scope <> 'JP'")
