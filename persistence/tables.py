"""The tables. Constraints here back the rules of the scheme, not only the code."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from domain.activities import ActivityStatus
from domain.certificates import CertificateStatus
from domain.events import EventType
from domain.imports import ImportKind, ImportStatus
from domain.notices import NoticeAudience, NoticeKind
from domain.places import PlaceKind
from domain.registrations import RegistrationStatus
from domain.tiers import Tier
from domain.vocabulary import ActivityKind, Relationship
from persistence.types import UtcDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = 6


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def _code_fk(column: str, *, nullable: bool = False, primary_key: bool = False) -> Column[str]:
    return Column(
        column,
        String(CODE),
        ForeignKey("municipality.code"),
        nullable=nullable,
        primary_key=primary_key,
    )


class Municipality(SQLModel, table=True):
    """Master data: the 47 prefectures and 1,741 municipalities (Code for FUKUI, CC0)."""

    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PlaceKind), name="kind"),
        CheckConstraint("length(code) = 6", name="code_length"),
    )

    code: str = Field(primary_key=True, max_length=CODE)
    name: str
    name_kana: str
    kind: str = Field(max_length=16)
    prefecture_code: str = Field(max_length=CODE, index=True)
    latitude: float
    longitude: float


class Participation(SQLModel, table=True):
    __tablename__ = "participation"
    __table_args__ = (CheckConstraint("starts_on >= agreed_on", name="starts_after_agreement"),)

    municipality_code: str = Field(sa_column=_code_fk("municipality_code", primary_key=True))
    agreed_on: date
    starts_on: date


class PremiumPolicy(SQLModel, table=True):
    __tablename__ = "premium_policy"
    __table_args__ = (
        CheckConstraint("required_activities BETWEEN 1 AND 100", name="required_activities"),
        CheckConstraint("window_days BETWEEN 30 AND 1095", name="window_days"),
    )

    municipality_code: str = Field(sa_column=_code_fk("municipality_code", primary_key=True))
    required_activities: int
    window_days: int
    eligible_activity_kinds: list[str] = Field(sa_column=Column(JSON, nullable=False))


class Resident(SQLModel, table=True):
    __tablename__ = "resident"

    id: uuid.UUID = Field(primary_key=True)
    subject: str = Field(unique=True, max_length=255)
    display_name: str | None = Field(default=None, max_length=100)
    birth_year: int | None = None
    home_municipality_code: str | None = Field(
        default=None, sa_column=_code_fk("home_municipality_code", nullable=True)
    )
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    identity_verified: bool = False
    created_at: datetime = Field(sa_type=UtcDateTime)


class Registration(SQLModel, table=True):
    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(_one_of("tier", Tier), name="tier"),
        CheckConstraint(_one_of("status", RegistrationStatus), name="status"),
        CheckConstraint(_one_of("relationship", Relationship), name="relationship"),
        CheckConstraint(
            "tier <> 'PREMIUM' OR premium_until IS NOT NULL", name="premium_has_an_end"
        ),
        CheckConstraint(
            "(status = 'WITHDRAWN') = (withdrawn_at IS NOT NULL)", name="withdrawn_when"
        ),
        # One active registration per person and place; withdrawn ones stay as history.
        Index(
            "uq_registration_active_resident_municipality",
            "resident_id",
            "municipality_code",
            unique=True,
            sqlite_where=text("status = 'ACTIVE'"),
            postgresql_where=text("status = 'ACTIVE'"),
        ),
        Index(
            "ix_registration_municipality_list",
            "municipality_code",
            "status",
            "registered_at",
            "id",
        ),
        Index(
            "ix_registration_prefecture_list", "prefecture_code", "status", "registered_at", "id"
        ),
        Index(
            "ix_registration_premium_until",
            "premium_until",
            sqlite_where=text("tier = 'PREMIUM'"),
            postgresql_where=text("tier = 'PREMIUM'"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    resident_id: uuid.UUID = Field(foreign_key="resident.id", index=True)
    municipality_code: str = Field(sa_column=_code_fk("municipality_code"))
    # The prefecture's lists include its municipalities' registrants without a second row.
    prefecture_code: str = Field(sa_column=_code_fk("prefecture_code"))
    relationship: str = Field(max_length=32)
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tier: str = Field(max_length=16)
    status: str = Field(max_length=16)
    registered_at: datetime = Field(sa_type=UtcDateTime)
    premium_granted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    premium_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class StatusList(SQLModel, table=True):
    """A Token Status List: every certificate has a random index in one of them."""

    __tablename__ = "status_list"
    __table_args__ = (CheckConstraint("size >= 131072", name="size"),)

    id: int | None = Field(default=None, primary_key=True)
    size: int
    created_at: datetime = Field(sa_type=UtcDateTime)


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint(_one_of("tier", Tier), name="tier"),
        CheckConstraint(_one_of("status", CertificateStatus), name="status"),
        CheckConstraint("tier <> 'PREMIUM' OR valid_until IS NOT NULL", name="premium_has_an_end"),
        UniqueConstraint("status_list_id", "status_index", name="uq_certificate_status_entry"),
        CheckConstraint("status_index >= 0", name="status_index"),
        # What a status list is built from: the certificates in it that are no longer valid.
        Index(
            "ix_certificate_status_list_ended",
            "status_list_id",
            sqlite_where=text("status <> 'VALID'"),
            postgresql_where=text("status <> 'VALID'"),
        ),
        # A registration shows one certificate in force at a time.
        Index(
            "uq_certificate_valid_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=text("status = 'VALID'"),
            postgresql_where=text("status = 'VALID'"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    serial_number: str = Field(unique=True, max_length=32)
    tier: str = Field(max_length=16)
    status: str = Field(max_length=16)
    issued_at: datetime = Field(sa_type=UtcDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status_list_id: int = Field(foreign_key="status_list.id")
    status_index: int


class CertificateToken(SQLModel, table=True):
    """A certificate's token as issued to its holder, kept so that it is signed once, not at
    every read (resolvers/certificates.py says when it is made anew)."""

    __tablename__ = "certificate_token"

    certificate_id: uuid.UUID = Field(foreign_key="certificate.id", primary_key=True)
    # The issuer URL and key that signed it (CertificateIssuer.signer).
    signer: str = Field(sa_column=Column(Text, nullable=False))
    renew_after: datetime = Field(sa_type=UtcDateTime)
    jwt: str = Field(sa_column=Column(Text, nullable=False))
    disclosures: list[str] = Field(sa_column=Column(JSON, nullable=False))


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours"),
        CheckConstraint(_one_of("status", ActivityStatus), name="status"),
        CheckConstraint(_one_of("kind", ActivityKind), name="kind"),
        Index("ix_activity_municipality_queue", "municipality_code", "status", "recorded_at", "id"),
        Index("ix_activity_prefecture_queue", "prefecture_code", "status", "recorded_at", "id"),
        Index(
            "ix_activity_resident_counting",
            "resident_id",
            "municipality_code",
            "status",
            "occurred_on",
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    resident_id: uuid.UUID = Field(foreign_key="resident.id")
    municipality_code: str = Field(sa_column=_code_fk("municipality_code"))
    prefecture_code: str = Field(sa_column=_code_fk("prefecture_code"))
    kind: str = Field(max_length=32)
    occurred_on: date
    hours: float
    description: str = Field(max_length=2000)
    status: str = Field(max_length=16)
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reviewed_by: str | None = Field(default=None, max_length=255)
    review_note: str | None = Field(default=None, max_length=1000)


class SupportMeasure(SQLModel, table=True):
    """Support (官民サポート) offered by a municipality, or by a partner within its scope."""

    __tablename__ = "support_measure"
    __table_args__ = (
        CheckConstraint(_one_of("minimum_tier", Tier), name="minimum_tier"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
    )

    id: uuid.UUID = Field(primary_key=True)
    municipality_code: str = Field(sa_column=_code_fk("municipality_code"))
    partner_id: str | None = Field(default=None, max_length=255, index=True)
    title: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    minimum_tier: str = Field(max_length=16)
    valid_from: date
    valid_until: date
    created_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=255)


class Notice(SQLModel, table=True):
    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint(_one_of("kind", NoticeKind), name="kind"),
        CheckConstraint(_one_of("audience", NoticeAudience), name="audience"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at", name="period"
        ),
        # The feed: the newest notices of a few places.
        Index("ix_notice_feed", "municipality_code", "published_at", "id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    municipality_code: str = Field(sa_column=_code_fk("municipality_code"))
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The same interests as bits, for the feed to match in one expression.
    interest_mask: int
    audience: str = Field(max_length=16)
    starts_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    published_at: datetime = Field(sa_type=UtcDateTime)
    published_by: str = Field(max_length=255)


class EventStream(SQLModel, table=True):
    """One per place: the last sequence number of its event stream. Taking the next number
    locks this row until commit, so a stream's numbers follow the order of its commits and a
    reader that saw N has seen everything before N."""

    __tablename__ = "event_stream"

    code: str = Field(sa_column=_code_fk("code", primary_key=True))
    last_seq: int = Field(default=0, sa_type=BigInteger)


class MunicipalEvent(SQLModel, table=True):
    """The outbox: written in the same transaction as the change it tells of. An event of a
    municipality is in its prefecture's stream too."""

    __tablename__ = "municipal_event"
    __table_args__ = (CheckConstraint(_one_of("type", EventType), name="type"),)

    stream_code: str = Field(sa_column=_code_fk("stream_code", primary_key=True))
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    type: str = Field(max_length=32)
    municipality_code: str = Field(max_length=6)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    subject_kind: str = Field(max_length=16)
    subject_id: uuid.UUID
    tier: str | None = Field(default=None, max_length=16)


class Tally(SQLModel, table=True):
    """Figures of related population, kept in the transaction of each change (see
    domain/statistics.py): a scope (a place, or JP for the nation), a figure's name, and one
    of a few parts chosen by person, summed when read."""

    __tablename__ = "tally"

    scope: str = Field(primary_key=True, max_length=6)
    figure: str = Field(primary_key=True, max_length=40)
    shard: int = Field(primary_key=True)
    count: int = Field(default=0, sa_type=BigInteger)


class TallyMember(SQLModel, table=True):
    """A person's active registrations within a prefecture or the nation, so that each person
    counts once there however many places they register with."""

    __tablename__ = "tally_member"

    scope: str = Field(primary_key=True, max_length=6)
    resident_id: uuid.UUID = Field(primary_key=True, foreign_key="resident.id", index=True)
    registrations: int = 0
    premium: int = 0


class PublishedFigures(SQLModel, table=True):
    """A place's figures as anyone but its own staff sees them, from the last publication
    (domain/publication.py): counts by cell name, null where suppressed."""

    __tablename__ = "published_figures"

    scope: str = Field(primary_key=True, max_length=6)
    cells: dict[str, int | None] = Field(sa_column=Column(JSON, nullable=False))
    published_at: datetime = Field(sa_type=UtcDateTime)


class AuditEntry(SQLModel, table=True):
    """Who did what to which records, and when. Rows are only ever added: no code updates or
    deletes them, and on PostgreSQL a trigger refuses it (migration 0009)."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_municipality_code_id", "municipality_code", "id"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    kind: str = Field(max_length=8)
    subject: str = Field(max_length=255)
    role: str = Field(max_length=20)
    acting_for: str | None = Field(default=None, max_length=6)
    # "mutation Register", "query Registrants", "system:lapse".
    operation: str = Field(max_length=200)
    # The place the records belong to, whose staff see the entry in their trail.
    municipality_code: str | None = Field(default=None, max_length=6)
    # "<table>:<id>" of each record.
    records: list[str] = Field(sa_column=Column(JSON, nullable=False))


class ImportJob(SQLModel, table=True):
    """One file of a municipality's list, taken in by import, and what became of its rows."""

    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ImportKind), name="kind"),
        CheckConstraint(_one_of("status", ImportStatus), name="status"),
        Index("ix_import_job_municipality_started", "municipality_code", "started_at", "id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    municipality_code: str = Field(sa_column=_code_fk("municipality_code"))
    kind: str = Field(max_length=16)
    file_name: str = Field(max_length=255)
    status: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    started_by: str = Field(max_length=255)
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    failure: str | None = Field(default=None, max_length=1000)


class ImportRejection(SQLModel, table=True):
    """A row an import turned away, with every reason (code, field, message)."""

    __tablename__ = "import_rejection"

    job_id: uuid.UUID = Field(primary_key=True, foreign_key="import_job.id")
    line: int = Field(primary_key=True)
    external_id: str | None = Field(default=None, max_length=64)
    problems: list[dict[str, str | None]] = Field(sa_column=Column(JSON, nullable=False))


class ImportRecord(SQLModel, table=True):
    """A row of a municipality's list as last imported, by the municipality's own key: what
    makes a second import of the same file change nothing."""

    __tablename__ = "import_record"

    municipality_code: str = Field(sa_column=_code_fk("municipality_code", primary_key=True))
    kind: str = Field(primary_key=True, max_length=16)
    external_id: str = Field(primary_key=True, max_length=64)
    # The registration or the activity the row became, and its person.
    record_id: uuid.UUID
    resident_id: uuid.UUID = Field(foreign_key="resident.id")
    fingerprint: str = Field(max_length=32)
    # The job that last accepted or updated it, at which line of its file.
    job_id: uuid.UUID = Field(foreign_key="import_job.id")
    line: int
