"""The municipal event outbox: a stream per place, events numbered in commit order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:49:40.682540
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_stream",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["municipality.code"], name=op.f("fk_event_stream_code_municipality")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_event_stream")),
    )
    op.create_table(
        "municipal_event",
        sa.Column("stream_code", sa.String(length=6), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("occurred_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("subject_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.CheckConstraint(
            "type IN ('REGISTERED', 'WITHDRAWN', 'PREMIUM_GRANTED', 'PREMIUM_LAPSED', 'ACTIVITY_RECORDED', 'ACTIVITY_REVIEWED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'NOTICE_PUBLISHED')",
            name=op.f("ck_municipal_event_type"),
        ),
        sa.ForeignKeyConstraint(
            ["stream_code"],
            ["municipality.code"],
            name=op.f("fk_municipal_event_stream_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("stream_code", "seq", name=op.f("pk_municipal_event")),
    )
    # Every place gets its stream now; `furusato migrate` opens those of places added later.
    op.execute("INSERT INTO event_stream (code, last_seq) SELECT code, 0 FROM municipality")


def downgrade() -> None:
    op.drop_table("municipal_event")
    op.drop_table("event_stream")
