"""The registration platform: places, participation, policies, residents, registrations,
certificates and activities.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 15:51:18.637063
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "municipality",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_kana", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("prefecture_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('PREFECTURE', 'CITY', 'TOWN', 'VILLAGE', 'SPECIAL_WARD')",
            name=op.f("ck_municipality_kind"),
        ),
        sa.CheckConstraint("length(code) = 6", name=op.f("ck_municipality_code_length")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_municipality")),
    )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_municipality_prefecture_code"), ["prefecture_code"], unique=False
        )

    op.create_table(
        "participation",
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "starts_on >= agreed_on", name=op.f("ck_participation_starts_after_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_participation_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_participation")),
    )
    op.create_table(
        "premium_policy",
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("required_activities", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("eligible_activity_kinds", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "required_activities BETWEEN 1 AND 100",
            name=op.f("ck_premium_policy_required_activities"),
        ),
        sa.CheckConstraint(
            "window_days BETWEEN 30 AND 1095", name=op.f("ck_premium_policy_window_days")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_premium_policy_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_premium_policy")),
    )
    op.create_table(
        "resident",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("home_municipality_code", sa.String(length=6), nullable=True),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("identity_verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_municipality_code"],
            ["municipality.code"],
            name=op.f("fk_resident_home_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
        sa.UniqueConstraint("subject", name=op.f("uq_resident_subject")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("prefecture_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recorded_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("review_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.CheckConstraint(
            "status IN ('PENDING', 'VERIFIED', 'REJECTED')", name=op.f("ck_activity_status")
        ),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name=op.f("ck_activity_hours")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_activity_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["prefecture_code"],
            ["municipality.code"],
            name=op.f("fk_activity_prefecture_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_activity_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_municipality_queue",
            ["municipality_code", "status", "recorded_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_activity_prefecture_queue",
            ["prefecture_code", "status", "recorded_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_activity_resident_counting",
            ["resident_id", "municipality_code", "status", "occurred_on"],
            unique=False,
        )

    op.create_table(
        "registration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=False),
        sa.Column("prefecture_code", sa.String(length=6), nullable=False),
        sa.Column("relationship", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("registered_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "premium_granted_at", persistence.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("premium_until", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'WITHDRAWN') = (withdrawn_at IS NOT NULL)",
            name=op.f("ck_registration_withdrawn_when"),
        ),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'WITHDRAWN')", name=op.f("ck_registration_status")
        ),
        sa.CheckConstraint(
            "tier <> 'PREMIUM' OR premium_until IS NOT NULL",
            name=op.f("ck_registration_premium_has_an_end"),
        ),
        sa.CheckConstraint("tier IN ('BASIC', 'PREMIUM')", name=op.f("ck_registration_tier")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_registration_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["prefecture_code"],
            ["municipality.code"],
            name=op.f("fk_registration_prefecture_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_registration_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_municipality_list",
            ["municipality_code", "status", "registered_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_registration_prefecture_list",
            ["prefecture_code", "status", "registered_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_registration_premium_until",
            ["premium_until"],
            unique=False,
            sqlite_where=sa.text("tier = 'PREMIUM'"),
            postgresql_where=sa.text("tier = 'PREMIUM'"),
        )
        batch_op.create_index(
            batch_op.f("ix_registration_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(
            "uq_registration_active_resident_municipality",
            ["resident_id", "municipality_code"],
            unique=True,
            sqlite_where=sa.text("status = 'ACTIVE'"),
            postgresql_where=sa.text("status = 'ACTIVE'"),
        )

    op.create_table(
        "certificate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("registration_id", sa.Uuid(), nullable=False),
        sa.Column("serial_number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issued_at", persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('VALID', 'SUPERSEDED', 'REVOKED', 'EXPIRED')",
            name=op.f("ck_certificate_status"),
        ),
        sa.CheckConstraint("tier IN ('BASIC', 'PREMIUM')", name=op.f("ck_certificate_tier")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_certificate_registration_id_registration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("serial_number", name=op.f("uq_certificate_serial_number")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            "uq_certificate_valid_per_registration",
            ["registration_id"],
            unique=True,
            sqlite_where=sa.text("status = 'VALID'"),
            postgresql_where=sa.text("status = 'VALID'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificate_valid_per_registration",
            sqlite_where=sa.text("status = 'VALID'"),
            postgresql_where=sa.text("status = 'VALID'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificate_registration_id"))

    op.drop_table("certificate")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_registration_active_resident_municipality",
            sqlite_where=sa.text("status = 'ACTIVE'"),
            postgresql_where=sa.text("status = 'ACTIVE'"),
        )
        batch_op.drop_index(batch_op.f("ix_registration_resident_id"))
        batch_op.drop_index(
            "ix_registration_premium_until",
            sqlite_where=sa.text("tier = 'PREMIUM'"),
            postgresql_where=sa.text("tier = 'PREMIUM'"),
        )
        batch_op.drop_index("ix_registration_prefecture_list")
        batch_op.drop_index("ix_registration_municipality_list")

    op.drop_table("registration")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_resident_counting")
        batch_op.drop_index("ix_activity_prefecture_queue")
        batch_op.drop_index("ix_activity_municipality_queue")

    op.drop_table("activity")
    op.drop_table("resident")
    op.drop_table("premium_policy")
    op.drop_table("participation")
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_municipality_prefecture_code"))

    op.drop_table("municipality")
