"""Writing imported rows. New registrants go in bulk: one COPY into a staging table (a batch
at a time), then one INSERT ... SELECT per table (people, registrations, certificates, the
municipality's index of keys, memberships), their figures counted by what sets them apart;
new activities by COPY. Changed rows one by one, through the same figure keeping as every
other change. One job's rows are one transaction."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    false,
    insert,
    literal,
    text,
    update,
)
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code
from domain.certificates import CertificateStatus, new_serial_numbers
from domain.clock import japan_date
from domain.events import EventType, MunicipalEvent, SubjectKind
from domain.identifiers import new_id
from domain.imports import (
    IMPORTED_ACTIVITY_STATUS,
    IMPORTED_TIER,
    ActivityRow,
    ImportJob,
    ImportKind,
    RegistrantRow,
    Rejection,
)
from domain.registrations import RegistrationStatus
from domain.statistics import (
    Flow,
    Person,
    Tie,
    daily_figure,
    monthly_figure,
    shard_of,
)
from persistence import audit, bulk, mapping, outbox, status_entries, tables, tallies
from persistence.types import UtcDateTime

# A person of an imported list is `list:<code>:<外部ID>`: nobody signs in as them.
LIST_SUBJECT_PREFIX = "list:{code}:"
ACTIVITY_COLUMNS = (
    "id",
    "resident_id",
    "municipality_code",
    "prefecture_code",
    "kind",
    "occurred_on",
    "hours",
    "description",
    "status",
    "recorded_at",
    "reviewed_at",
    "reviewed_by",
)
RECORD_COLUMNS = (
    "municipality_code",
    "kind",
    "external_id",
    "record_id",
    "resident_id",
    "fingerprint",
    "job_id",
    "line",
)


# New registrants of a list on their way in; of the transaction's connection only.
STAGING = Table(
    "import_staging",
    MetaData(),
    Column("line", Integer),
    Column("external_id", String(64)),
    Column("name", String(100)),
    Column("birth_year", Integer),
    Column("home_municipality_code", String(6)),
    Column("relationship", String(32)),
    Column("interests", JSON),
    Column("registered_at", UtcDateTime),
    Column("fingerprint", String(32)),
    Column("resident_id", Uuid),
    Column("registration_id", Uuid),
    Column("certificate_id", Uuid),
    Column("serial_number", String(32)),
    Column("status_list_id", Integer),
    Column("status_index", Integer),
    prefixes=["TEMPORARY"],
)
STAGING_COLUMNS = tuple(column.name for column in STAGING.columns)


def _merge_staged(job: ImportJob, now: datetime) -> list[Any]:
    """From the staging table into each table, in one statement each."""
    staged = STAGING.c
    code = job.municipality_code
    at = literal(now, UtcDateTime)

    def into(table: Table, values: dict[str, Any]) -> Any:
        return insert(table).from_select(list(values), sql_select(*values.values()))

    resident, registration, certificate, record, member = (
        bulk.table(name)
        for name in ("resident", "registration", "certificate", "import_record", "tally_member")
    )
    statements = [
        into(
            resident,
            {
                "id": staged.resident_id,
                "subject": literal(LIST_SUBJECT_PREFIX.format(code=code)) + staged.external_id,
                "display_name": staged.name,
                "birth_year": staged.birth_year,
                "home_municipality_code": staged.home_municipality_code,
                "interests": literal([], JSON),
                "identity_verified": false(),
                "created_at": at,
            },
        ),
        into(
            registration,
            {
                "id": staged.registration_id,
                "resident_id": staged.resident_id,
                "municipality_code": literal(code),
                "prefecture_code": literal(municipality_code.prefecture_of(code)),
                "relationship": staged.relationship,
                "interests": staged.interests,
                "tier": literal(IMPORTED_TIER.value),
                "status": literal(RegistrationStatus.ACTIVE.value),
                "registered_at": staged.registered_at,
            },
        ),
        into(
            certificate,
            {
                "id": staged.certificate_id,
                "registration_id": staged.registration_id,
                "serial_number": staged.serial_number,
                "tier": literal(IMPORTED_TIER.value),
                "status": literal(CertificateStatus.VALID.value),
                "issued_at": at,
                "status_list_id": staged.status_list_id,
                "status_index": staged.status_index,
            },
        ),
        into(
            record,
            {
                "municipality_code": literal(code),
                "kind": literal(job.kind.value),
                "external_id": staged.external_id,
                "record_id": staged.registration_id,
                "resident_id": staged.resident_id,
                "fingerprint": staged.fingerprint,
                "job_id": literal(job.id, Uuid),
                "line": staged.line,
            },
        ),
    ]
    statements += [
        into(
            member,
            {
                "scope": literal(scope),
                "resident_id": staged.resident_id,
                "registrations": literal(1),
                "premium": literal(0),
            },
        )
        for scope in tallies.membership_scopes(code)
    ]
    return statements


def _person(row: RegistrantRow) -> Person:
    return tallies.person_of(row.home_municipality_code, row.birth_year)


class SqlImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_job(self, job: ImportJob) -> None:
        self._session.add(mapping.import_job_to_row(job))

    async def lock(self, job: ImportJob) -> None:
        """One import of a list at a time: a second waits until the first has committed."""
        if self._session.get_bind().dialect.name == "postgresql":
            connection = await self._session.connection()
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:list))"),
                {"list": f"import:{job.municipality_code}:{job.kind.value}"},
            )
        else:
            # SQLite lets one transaction write at a time: writing first takes that turn.
            await self._session.exec(
                update(tables.ImportJob)
                .where(col(tables.ImportJob.id) == job.id)
                .values(status=job.status.value)
            )

    async def fingerprints(self, code: str, kind: ImportKind) -> dict[str, str]:
        """The list as last imported: what each key's row said."""
        return await self._by_key(code, kind, "fingerprint")

    async def people(self, code: str, kind: ImportKind) -> dict[str, uuid.UUID]:
        """The person each key of the list was imported for."""
        return await self._by_key(code, kind, "resident_id")

    async def _by_key(self, code: str, kind: ImportKind, column: str) -> dict[str, Any]:
        record = tables.ImportRecord.__table__.c  # type: ignore[attr-defined]
        connection = await self._session.connection()
        # Core, not the ORM, and one column: a list's million keys are read in a fifth of the
        # time, and a registrants' list reads no uuids.
        rows = await connection.execute(
            sql_select(record.external_id, record[column]).where(
                record.municipality_code == code, record.kind == kind.value
            )
        )
        return {key: value for key, value in rows}

    async def save_job(self, job: ImportJob, rejections: Sequence[Rejection]) -> None:
        await self._session.merge(mapping.import_job_to_row(job))
        connection = await self._session.connection()
        await bulk.copy(
            connection,
            "import_rejection",
            ("job_id", "line", "external_id", "problems"),
            [
                (
                    job.id,
                    rejection.line,
                    rejection.external_id,
                    [
                        {"code": p.code, "field": p.field, "message": p.message}
                        for p in rejection.problems
                    ],
                )
                for rejection in rejections
            ],
        )

    async def announce(self, job: ImportJob, now: datetime) -> None:
        """One event for the whole file, in the municipality's stream (and its prefecture's);
        its changes are in the job, in the audit log and in the figures."""
        audit.note(self._session, f"import_job:{job.id}", job.municipality_code)
        await outbox.append(
            self._session,
            [
                MunicipalEvent(
                    EventType.LIST_IMPORTED,
                    job.municipality_code,
                    now,
                    SubjectKind.IMPORT_JOB,
                    job.id,
                )
            ],
        )

    async def add_registrants(
        self, job: ImportJob, rows: Sequence[RegistrantRow], now: datetime
    ) -> None:
        """A person of the list, their basic registration and its certificate, for each row:
        the rows go to a staging table in one COPY, and every table takes its part of them in
        one statement."""
        if not rows:
            return
        code = job.municipality_code
        entries = await status_entries.allocate_many(self._session, now, len(rows))
        serials = new_serial_numbers(len(rows))
        staged: list[tuple[Any, ...]] = []
        ties: Counter[tuple[Tie, int]] = Counter()
        people: Counter[tuple[Person, int]] = Counter()
        days: Counter[tuple[Any, int]] = Counter()
        for row, serial, (list_id, index) in zip(rows, serials, entries, strict=True):
            resident_id = new_id()
            staged.append(
                (
                    row.line,
                    row.external_id,
                    row.name,
                    row.birth_year,
                    row.home_municipality_code,
                    row.relationship.value,
                    [interest.value for interest in row.interests],
                    row.registered_at,
                    row.fingerprint,
                    resident_id,
                    new_id(),
                    new_id(),
                    serial,
                    list_id,
                    index,
                )
            )
            shard = shard_of(resident_id)
            ties[(row.tie, shard)] += 1
            people[(_person(row), shard)] += 1
            days[(row.registered_on, shard)] += 1
        connection = await self._session.connection()
        await connection.run_sync(lambda sync: STAGING.create(sync, checkfirst=True))
        await bulk.copy(connection, STAGING, STAGING_COLUMNS, staged)
        for statement in _merge_staged(job, now):
            await connection.execute(statement)
        await bulk.empty(connection, STAGING)
        tallies.counted_in_bulk(self._session, code, _figures(ties, people, days))

    async def update_registrants(self, job: ImportJob, rows: Sequence[RegistrantRow]) -> None:
        """Rows whose values changed since the last import: the person and the registration
        take the new values, and the figures move with them."""
        if not rows:
            return
        found = await self._records(job, [row.external_id for row in rows])
        registrations = await self._by_id(tables.Registration, [r for r, _ in found.values()])
        residents = await self._by_id(tables.Resident, [p for _, p in found.values()])
        for row in rows:
            registration_id, resident_id = found[row.external_id]
            registration = registrations[registration_id]
            resident = residents[resident_id]
            person_before = tallies.person_of(resident.home_municipality_code, resident.birth_year)
            tie_before = tallies.tie_of(
                registration.status,
                registration.relationship,
                registration.interests,
                registration.tier,
            )
            day_before = registration.registered_at
            resident.display_name = row.name
            resident.birth_year = row.birth_year
            resident.home_municipality_code = row.home_municipality_code
            registration.relationship = row.relationship.value
            registration.interests = [interest.value for interest in row.interests]
            registration.registered_at = row.registered_at
            self._session.add_all([resident, registration])
            await tallies.person_corrected(self._session, resident_id, person_before, _person(row))
            await tallies.registration_changed(
                self._session,
                resident_id,
                job.municipality_code,
                tie_before,
                tallies.tie_of(
                    registration.status,
                    registration.relationship,
                    registration.interests,
                    registration.tier,
                ),
                _moved(day_before, registration.registered_at),
            )
        await self._session.flush()
        await self._rerecord(job, rows)

    async def add_activities(
        self,
        job: ImportJob,
        rows: Sequence[tuple[ActivityRow, uuid.UUID]],
        now: datetime,
        reviewer: str,
    ) -> None:
        """Activities the municipality's own records hold, verified by the municipality."""
        if not rows:
            return
        code = job.municipality_code
        prefecture = municipality_code.prefecture_of(code)
        activities: list[tuple[Any, ...]] = []
        records: list[tuple[Any, ...]] = []
        verified: Counter[tuple[str, int]] = Counter()
        month = monthly_figure(Flow.ACTIVITY_VERIFIED, japan_date(now))
        for row, resident_id in rows:
            activity_id = new_id()
            activities.append(
                (
                    activity_id,
                    resident_id,
                    code,
                    prefecture,
                    row.kind.value,
                    row.occurred_on,
                    row.hours,
                    row.description,
                    IMPORTED_ACTIVITY_STATUS.value,
                    now,
                    now,
                    reviewer,
                )
            )
            records.append(
                (
                    code,
                    job.kind.value,
                    row.external_id,
                    activity_id,
                    resident_id,
                    row.fingerprint,
                    job.id,
                    row.line,
                )
            )
            verified[(month, shard_of(resident_id))] += 1
        connection = await self._session.connection()
        await bulk.copy(connection, "activity", ACTIVITY_COLUMNS, activities)
        await bulk.copy(connection, "import_record", RECORD_COLUMNS, records)
        tallies.counted_in_bulk(self._session, code, verified)

    async def update_activities(self, job: ImportJob, rows: Sequence[ActivityRow]) -> None:
        """What the municipality's records now say of an activity it imported before; it
        stays verified, and its month of verification stays."""
        if not rows:
            return
        found = await self._records(job, [row.external_id for row in rows])
        activities = await self._by_id(tables.Activity, [a for a, _ in found.values()])
        for row in rows:
            activity = activities[found[row.external_id][0]]
            activity.kind = row.kind.value
            activity.occurred_on = row.occurred_on
            activity.hours = row.hours
            activity.description = row.description
            self._session.add(activity)
        await self._session.flush()
        await self._rerecord(job, rows)

    async def _records(
        self, job: ImportJob, keys: Sequence[str]
    ) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
        record = tables.ImportRecord
        rows = await self._session.exec(
            select(col(record.external_id), col(record.record_id), col(record.resident_id)).where(
                col(record.municipality_code) == job.municipality_code,
                col(record.kind) == job.kind.value,
                col(record.external_id).in_(keys),
            )
        )
        return {key: (record_id, resident_id) for key, record_id, resident_id in rows}

    async def _by_id(self, model: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        rows = await self._session.exec(select(model).where(col(model.id).in_(list(ids))))
        return {row.id: row for row in rows}

    async def _rerecord(
        self, job: ImportJob, rows: Sequence[RegistrantRow] | Sequence[ActivityRow]
    ) -> None:
        record = tables.ImportRecord.__table__  # type: ignore[attr-defined]
        connection = await self._session.connection()
        await connection.execute(
            update(record)
            .where(
                record.c.municipality_code == job.municipality_code,
                record.c.kind == job.kind.value,
                record.c.external_id == bindparam("key"),
            )
            .values(fingerprint=bindparam("print"), job_id=job.id, line=bindparam("at")),
            [{"key": r.external_id, "print": r.fingerprint, "at": r.line} for r in rows],
        )


def _moved(before: datetime, after: datetime) -> dict[str, int]:
    """A registration whose day changed moves from one day's and month's count to another."""
    old, new = japan_date(before), japan_date(after)
    if old == new:
        return {}
    changes: Counter[str] = Counter()
    for day, sign in ((old, -1), (new, 1)):
        changes[monthly_figure(Flow.REGISTERED, day)] += sign
        changes[daily_figure(day)] += sign
    return dict(changes)


def _figures(
    ties: Counter[tuple[Tie, int]],
    people: Counter[tuple[Person, int]],
    days: Counter[tuple[Any, int]],
) -> Counter[tuple[str, int]]:
    """What new people of a list, each with one basic registration, add to the figures:
    counted by what sets them apart, then through the same rules as one registration."""
    changes: Counter[tuple[str, int]] = Counter()
    for (tie, shard), many in ties.items():
        for figure, change in tie.figures().items():
            changes[(figure, shard)] += change * many
    for (person, shard), many in people.items():
        # Each is registered with this one place: one place, anywhere.
        for figure, change in (
            Person(person.home_prefecture, person.birth_year, 1).figures(IMPORTED_TIER).items()
        ):
            changes[(figure, shard)] += change * many
    for (day, shard), many in days.items():
        changes[(monthly_figure(Flow.REGISTERED, day), shard)] += many
        changes[(daily_figure(day), shard)] += many
    return changes
