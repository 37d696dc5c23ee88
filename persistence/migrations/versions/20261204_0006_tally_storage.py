"""Figures are updated in place all day: room on each page for the new row version (so that
the update needs no new index entry) and vacuuming long before the default fifth of the table
is dead. PostgreSQL only; SQLite has no such settings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("tally", "tally_member"):
            op.execute(
                f"ALTER TABLE {table} SET (fillfactor = 70,"
                " autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("tally", "tally_member"):
            op.execute(
                f"ALTER TABLE {table} RESET (fillfactor,"
                " autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
            )
