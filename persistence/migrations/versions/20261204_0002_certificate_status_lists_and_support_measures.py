"""Certificate status lists (each certificate at a random index) and support measures.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 16:00:16.475559
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size >= 131072", name=op.f("ck_status_list_size")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_list")),
    )
    op.create_table(
        "support_measure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("partner_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("minimum_tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.CheckConstraint(
            "minimum_tier IN ('BASIC', 'PREMIUM')", name=op.f("ck_support_measure_minimum_tier")
        ),
        sa.CheckConstraint(
            "valid_until >= valid_from", name=op.f("ck_support_measure_valid_period")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_support_measure_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_measure")),
    )
    with op.batch_alter_table("support_measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_measure_partner_id"), ["partner_id"], unique=False
        )

    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_list_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
    _place_existing_certificates()
    # Rules that 0001 left to the code alone.
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_registration_relationship"), _one_of("relationship", RELATIONSHIPS)
        )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_activity_kind"), _one_of("kind", ACTIVITY_KINDS))
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.alter_column("status_list_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("status_index", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_certificate_status_index"), "status_index >= 0")
        batch_op.create_check_constraint(
            op.f("ck_certificate_premium_has_an_end"),
            "tier <> 'PREMIUM' OR valid_until IS NOT NULL",
        )
        batch_op.create_index(
            "ix_certificate_status_list_ended",
            ["status_list_id"],
            unique=False,
            sqlite_where=sa.text("status <> 'VALID'"),
            postgresql_where=sa.text("status <> 'VALID'"),
        )
        batch_op.create_unique_constraint(
            "uq_certificate_status_entry", ["status_list_id", "status_index"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificate_status_list_id_status_list"),
            "status_list",
            ["status_list_id"],
            ["id"],
        )


# Written out, so that this revision means the same whatever the code says later.
RELATIONSHIPS = (
    "BIRTHPLACE",
    "FORMER_RESIDENCE",
    "FAMILY",
    "WORK_OR_STUDY",
    "TOURISM",
    "FURUSATO_NOZEI",
    "LOCAL_PRODUCTS",
    "VOLUNTEERING",
    "TWO_BASE_LIVING",
    "OTHER",
)
ACTIVITY_KINDS = (
    "VOLUNTEERING",
    "EVENT_STAFF",
    "COMMUNITY_MEETING",
    "PRIMARY_INDUSTRY_HELP",
    "LOCAL_BUSINESS",
    "DISASTER_RECOVERY",
    "EDUCATION_AND_CHILDCARE",
    "ELDERLY_CARE",
    "CULTURAL_PRESERVATION",
    "TWO_BASE_LIVING",
    "OTHER",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _place_existing_certificates() -> None:
    """Certificates issued before status lists get random places in new lists."""
    connection = op.get_bind()
    size = 131072
    lists = sa.table(
        "status_list",
        sa.column("id", sa.Integer),
        sa.column("size", sa.Integer),
        sa.column("created_at", persistence.types.UtcDateTime),
    )
    certificates = sa.table(
        "certificate",
        sa.column("id", sa.Uuid),
        sa.column("status_list_id", sa.Integer),
        sa.column("status_index", sa.Integer),
    )
    ids = [row[0] for row in connection.execute(sa.select(certificates.c.id))]
    if not ids:
        return
    chooser = secrets.SystemRandom()
    for start in range(0, len(ids), size // 2):
        batch = ids[start : start + size // 2]
        list_id = connection.execute(
            lists.insert().values(size=size, created_at=datetime.now(UTC)).returning(lists.c.id)
        ).scalar_one()
        for certificate_id, index in zip(
            batch, chooser.sample(range(size), len(batch)), strict=True
        ):
            connection.execute(
                certificates.update()
                .where(certificates.c.id == certificate_id)
                .values(status_list_id=list_id, status_index=index)
            )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_activity_kind"), type_="check")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_relationship"), type_="check")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_certificate_status_list_id_status_list"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_certificate_status_entry", type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_certificate_status_index"), type_="check")
        batch_op.drop_constraint(op.f("ck_certificate_premium_has_an_end"), type_="check")
        batch_op.drop_index(
            "ix_certificate_status_list_ended",
            sqlite_where=sa.text("status <> 'VALID'"),
            postgresql_where=sa.text("status <> 'VALID'"),
        )
        batch_op.drop_column("status_index")
        batch_op.drop_column("status_list_id")

    with op.batch_alter_table("support_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_measure_partner_id"))

    op.drop_table("support_measure")
    op.drop_table("status_list")
