"""Import of municipal lists: the jobs, the rows they turned away, and each imported row by
the municipality's own key (what makes a second import of the same file change nothing). A
whole file is announced by one LIST_IMPORTED event.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:24:07.062691
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


EVENT_TYPES_BEFORE = (
    "REGISTERED",
    "WITHDRAWN",
    "PREMIUM_GRANTED",
    "PREMIUM_LAPSED",
    "ACTIVITY_RECORDED",
    "ACTIVITY_REVIEWED",
    "CERTIFICATE_ISSUED",
    "CERTIFICATE_REVOKED",
    "NOTICE_PUBLISHED",
)


def _event_types(types: Sequence[str]) -> None:
    with op.batch_alter_table("municipal_event") as batch_op:
        batch_op.drop_constraint(op.f("ck_municipal_event_type"), type_="check")
        batch_op.create_check_constraint("type", f"type IN ({', '.join(repr(t) for t in types)})")


def upgrade() -> None:
    _event_types((*EVENT_TYPES_BEFORE, "LIST_IMPORTED"))
    op.create_table(
        "import_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("started_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("failure", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.CheckConstraint(
            "kind IN ('REGISTRATIONS', 'ACTIVITIES')", name=op.f("ck_import_job_kind")
        ),
        sa.CheckConstraint(
            "status IN ('RUNNING', 'FINISHED', 'FAILED')", name=op.f("ck_import_job_status")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_import_job_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_job_municipality_started",
            ["municipality_code", "started_at", "id"],
            unique=False,
        )

    op.create_table(
        "import_record",
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_job.id"], name=op.f("fk_import_record_job_id_import_job")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_import_record_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_import_record_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint(
            "municipality_code", "kind", "external_id", name=op.f("pk_import_record")
        ),
    )
    op.create_table(
        "import_rejection",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_job.id"], name=op.f("fk_import_rejection_job_id_import_job")
        ),
        sa.PrimaryKeyConstraint("job_id", "line", name=op.f("pk_import_rejection")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM municipal_event WHERE type = 'LIST_IMPORTED'")
    _event_types(EVENT_TYPES_BEFORE)
    op.drop_table("import_rejection")
    op.drop_table("import_record")
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index("ix_import_job_municipality_started")

    op.drop_table("import_job")
