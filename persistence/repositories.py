"""Repositories over one session. They load and stage changes; they never commit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.activities import Activity, ActivityStatus
from domain.certificates import Certificate, CertificateStatus
from domain.events import MunicipalEvent
from domain.notices import Notice, publication
from domain.places import Participation
from domain.premium import PremiumPolicy
from domain.registrations import Registration
from domain.residents import Resident
from domain.statistics import NATION, Flow, Person, Tie, daily_figure
from domain.support import SupportMeasure
from domain.tiers import Tier
from domain.vocabulary import ActivityKind
from persistence import mapping, outbox, status_entries, tables, tallies, views
from persistence.conflicts import conflicts_raised, violates

# Tries for a free status index before a certificate gives up (each try picks at random).
STATUS_ENTRY_ATTEMPTS = 3


async def _record_events(session: AsyncSession, events: list[MunicipalEvent]) -> None:
    """What an aggregate went through goes to the outbox once, with the change itself."""
    await outbox.append(session, events)
    events.clear()


def _person(row: tables.Resident) -> Person:
    return tallies.person_of(row.home_municipality_code, row.birth_year)


def _tie(row: tables.Registration) -> Tie | None:
    return tallies.tie_of(row.status, row.relationship, row.interests, row.tier)


class SqlResidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, resident_id: uuid.UUID, *, lock: bool = False) -> Resident | None:
        statement = select(tables.Resident).where(tables.Resident.id == resident_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return mapping.resident_from_row(row) if row else None

    async def get_by_subject(self, subject: str, *, lock: bool = False) -> Resident | None:
        statement = select(tables.Resident).where(tables.Resident.subject == subject)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return mapping.resident_from_row(row) if row else None

    async def add(self, resident: Resident) -> None:
        # Written at once, so that rows referring to the resident can follow in any order; in
        # a savepoint, so that losing the race to create the same person spoils nothing else.
        async with conflicts_raised(), self._session.begin_nested():
            self._session.add(mapping.resident_to_row(resident))

    async def update(self, resident: Resident) -> None:
        stored = await self._session.get(tables.Resident, resident.id)
        before = _person(stored) if stored else None
        renamed = stored is not None and stored.display_name != resident.display_name
        row = await self._session.merge(mapping.resident_to_row(resident))
        if before is not None:
            await tallies.person_corrected(self._session, resident.id, before, _person(row))
        if renamed:
            # The kept tokens' disclosures carry the name as it was: none outlives it.
            held = (
                select(tables.Certificate.id)
                .join(tables.Registration)
                .where(tables.Registration.resident_id == resident.id)
            )
            await self._session.exec(
                delete(tables.CertificateToken).where(
                    col(tables.CertificateToken.certificate_id).in_(held)
                )
            )


class SqlPlaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self, code: str) -> bool:
        statement = select(func.count()).where(tables.Municipality.code == code)
        return (await self._session.exec(statement)).one() > 0

    async def codes(self) -> frozenset[str]:
        return frozenset((await self._session.exec(select(tables.Municipality.code))).all())

    async def participation(self, code: str) -> Participation | None:
        return mapping.participation_from_row(await self._session.get(tables.Participation, code))

    async def save_participation(self, participation: Participation) -> None:
        await self._session.merge(mapping.participation_to_row(participation))

    async def premium_policy(self, code: str) -> PremiumPolicy:
        return mapping.premium_policy_from_row(await self._session.get(tables.PremiumPolicy, code))

    async def save_premium_policy(self, code: str, policy: PremiumPolicy) -> None:
        await self._session.merge(mapping.premium_policy_to_row(code, policy))


class SqlRegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, registration_id: uuid.UUID, *, lock: bool = False) -> Registration | None:
        found = await self._load(col(tables.Registration.id) == registration_id, lock=lock)
        return found[0] if found else None

    async def of_resident(
        self, resident_id: uuid.UUID, *, lock: bool = False
    ) -> list[Registration]:
        return await self._load(col(tables.Registration.resident_id) == resident_id, lock=lock)

    async def premium_ended_by(self, now: datetime, limit: int) -> list[Registration]:
        # Rows another worker's sweep holds are skipped, not waited for (PostgreSQL).
        return await self._load(
            col(tables.Registration.tier) == Tier.PREMIUM.value,
            col(tables.Registration.premium_until) <= now,
            limit=limit,
            lock=True,
            skip_locked=True,
        )

    async def add(self, registration: Registration) -> None:
        row = mapping.registration_to_row(registration)
        self._session.add(row)
        # Without ORM relationships the flush order is not known: the registration goes first.
        async with conflicts_raised():
            await self._session.flush()
        await tallies.registration_changed(
            self._session,
            registration.resident_id,
            registration.municipality_code,
            None,
            _tie(row),
            tallies.flows(registration.events),
        )
        for certificate in registration.certificates:
            await self._add_certificate(certificate)
        await _record_events(self._session, registration.events)

    async def update(self, registration: Registration) -> None:
        previous = await self._session.get(tables.Registration, registration.id)
        before = _tie(previous) if previous else None
        row = await self._session.merge(mapping.registration_to_row(registration))
        await tallies.registration_changed(
            self._session,
            registration.resident_id,
            registration.municipality_code,
            before,
            _tie(row),
            tallies.flows(registration.events),
        )
        stored = {
            row.id: row.status
            for row in (
                await self._session.exec(
                    select(tables.Certificate).where(
                        tables.Certificate.registration_id == registration.id
                    )
                )
            ).all()
        }
        for certificate in registration.certificates:
            if certificate.id in stored:
                await self._session.exec(
                    update(tables.Certificate)
                    .where(col(tables.Certificate.id) == certificate.id)
                    .values(status=certificate.status.value, ended_at=certificate.ended_at)
                )
        # A token is shown only while its certificate is in force: the one kept for a
        # certificate that ends goes with it (its disclosure names the holder).
        ended = [
            c.id
            for c in registration.certificates
            if stored.get(c.id) == CertificateStatus.VALID.value
            and c.status is not CertificateStatus.VALID
        ]
        if ended:
            await self._session.exec(
                delete(tables.CertificateToken).where(
                    col(tables.CertificateToken.certificate_id).in_(ended)
                )
            )
        # The certificate a new one replaces must leave VALID before the new one arrives.
        await self._session.flush()
        for certificate in registration.certificates:
            if certificate.id not in stored:
                await self._add_certificate(certificate)
        await _record_events(self._session, registration.events)

    async def _add_certificate(self, certificate: Certificate) -> None:
        for attempt in range(STATUS_ENTRY_ATTEMPTS):
            list_id, index = await status_entries.allocate(self._session, certificate.issued_at)
            try:
                # A savepoint: losing a race for a status index costs this insert, not the unit.
                async with self._session.begin_nested():
                    self._session.add(mapping.certificate_to_row(certificate, list_id, index))
                return
            except IntegrityError as error:
                taken = violates(
                    error,
                    "uq_certificate_status_entry",
                    "certificate.status_list_id, certificate.status_index",
                )
                if not taken or attempt == STATUS_ENTRY_ATTEMPTS - 1:
                    async with conflicts_raised():
                        raise

    async def _load(
        self,
        *where: ColumnElement[bool],
        limit: int | None = None,
        lock: bool = False,
        skip_locked: bool = False,
    ) -> list[Registration]:
        statement = (
            select(tables.Registration)
            .where(*where)
            .order_by(col(tables.Registration.registered_at))
        )
        if limit is not None:
            statement = statement.limit(limit)
        if lock:
            statement = statement.with_for_update(skip_locked=skip_locked)
        rows = (await self._session.exec(statement)).all()
        if not rows:
            return []
        certificates: dict[uuid.UUID, list[tables.Certificate]] = defaultdict(list)
        for certificate in (
            await self._session.exec(
                select(tables.Certificate)
                .where(col(tables.Certificate.registration_id).in_([r.id for r in rows]))
                .order_by(col(tables.Certificate.issued_at))
            )
        ).all():
            certificates[certificate.registration_id].append(certificate)
        return [mapping.registration_from_row(r, certificates[r.id]) for r in rows]


class SqlActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, activity_id: uuid.UUID, *, lock: bool = False) -> Activity | None:
        statement = select(tables.Activity).where(tables.Activity.id == activity_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return mapping.activity_from_row(row) if row else None

    async def verified_since(
        self, resident_id: uuid.UUID, municipality_code: str, since: date
    ) -> list[tuple[ActivityKind, date]]:
        statement = select(col(tables.Activity.kind), col(tables.Activity.occurred_on)).where(
            tables.Activity.resident_id == resident_id,
            tables.Activity.municipality_code == municipality_code,
            tables.Activity.status == ActivityStatus.VERIFIED.value,
            col(tables.Activity.occurred_on) >= since,
        )
        return [(ActivityKind(kind), day) for kind, day in (await self._session.exec(statement))]

    async def add(self, activity: Activity) -> None:
        self._session.add(mapping.activity_to_row(activity))
        await _record_events(self._session, activity.events)

    async def update(self, activity: Activity) -> None:
        stored = await self._session.get(tables.Activity, activity.id)
        was_verified = stored is not None and stored.status == ActivityStatus.VERIFIED.value
        await self._session.merge(mapping.activity_to_row(activity))
        if activity.status is ActivityStatus.VERIFIED and not was_verified and activity.reviewed_at:
            tallies.activity_verified(
                self._session,
                activity.resident_id,
                activity.municipality_code,
                activity.reviewed_at,
            )
        await _record_events(self._session, activity.events)


class SqlSupportMeasureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, measure: SupportMeasure) -> None:
        self._session.add(mapping.support_measure_to_row(measure))


class SqlNoticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notice: Notice) -> None:
        self._session.add(mapping.notice_to_row(notice))
        await outbox.append(self._session, [publication(notice)])


class SqlFigureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def kept(self, since: date) -> dict[str, dict[str, int]]:
        return await views.figures(self._session, None, since)

    async def publish(self, cells: Mapping[str, Mapping[str, int | None]], at: datetime) -> None:
        """Replaces the last publication whole: every row is written, so that a publication
        running beside this one cannot leave a mixture of the two."""
        table = tables.PublishedFigures.__table__  # type: ignore[attr-defined]
        rows = [
            {"scope": scope, "cells": dict(place), "published_at": at}
            for scope, place in sorted(cells.items())
        ]
        statement = tallies.insert_for(self._session, table)
        statement = statement.on_conflict_do_update(
            index_elements=["scope"],
            set_={
                "cells": statement.excluded["cells"],
                "published_at": statement.excluded["published_at"],
            },
        )
        connection = await self._session.connection()
        await connection.execute(statement, rows)
        await connection.execute(delete(table).where(table.c.scope.not_in(list(cells))))

    async def last_published(self) -> datetime | None:
        """When the last publication was made; on PostgreSQL, first waits for one being made
        (an advisory lock held until this transaction ends), so that workers that start it
        together make it once."""
        if self._session.get_bind().dialect.name == "postgresql":
            connection = await self._session.connection()
            await connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('publication'))"))
        found = await self._session.get(tables.PublishedFigures, NATION)
        return found.published_at if found else None

    async def forget_days_before(self, day: date) -> None:
        tally = tables.Tally.__table__  # type: ignore[attr-defined]
        await (await self._session.connection()).execute(
            delete(tally).where(
                tally.c.figure.startswith(f"{Flow.REGISTERED_ON}:"),
                tally.c.figure < daily_figure(day),
            )
        )
