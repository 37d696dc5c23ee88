"""One loader class per entity and key, made afresh for every request."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.activities import ActivityStatus
from domain.clock import Clock, japan_date
from domain.overview import new_since
from domain.premium import WINDOW_DAYS_RANGE
from domain.tiers import Tier
from persistence import tables, views
from persistence.database import Database
from resolvers.batch import BatchLoader
from resolvers.directory import MunicipalityDirectory

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
F = TypeVar("F")


class _DatabaseLoader(BatchLoader[K, V]):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self._database.read_engine) as session:
            yield session

    async def _by_key(
        self,
        keys: list[K],
        read: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, F]]],
    ) -> list[F | None]:
        async with self._session() as session:
            found = await read(session, keys)
        return [found.get(key) for key in keys]


class MunicipalityByCodeLoader(BatchLoader[str, tables.Municipality | None]):
    def __init__(self, directory: MunicipalityDirectory) -> None:
        super().__init__()
        self._directory = directory

    async def fetch(self, keys: list[str]) -> list[tables.Municipality | None]:
        places = await self._directory.places()
        return [places.get(key) for key in keys]


class ParticipationByMunicipalityCodeLoader(_DatabaseLoader[str, tables.Participation | None]):
    async def fetch(self, keys: list[str]) -> list[tables.Participation | None]:
        return await self._by_key(keys, views.participations_by_code)


class PremiumPolicyByMunicipalityCodeLoader(_DatabaseLoader[str, tables.PremiumPolicy | None]):
    async def fetch(self, keys: list[str]) -> list[tables.PremiumPolicy | None]:
        return await self._by_key(keys, views.premium_policies_by_code)


class ResidentByIdLoader(_DatabaseLoader[uuid.UUID, tables.Resident | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.Resident | None]:
        return await self._by_key(keys, views.residents_by_id)


class RegistrationByIdLoader(_DatabaseLoader[uuid.UUID, tables.Registration | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.Registration | None]:
        return await self._by_key(keys, views.registrations_by_id)


class ActivityByIdLoader(_DatabaseLoader[uuid.UUID, tables.Activity | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.Activity | None]:
        return await self._by_key(keys, views.activities_by_id)


class SupportMeasureByIdLoader(_DatabaseLoader[uuid.UUID, tables.SupportMeasure | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.SupportMeasure | None]:
        return await self._by_key(keys, views.support_measures_by_id)


class RegistrationsByResidentIdLoader(_DatabaseLoader[uuid.UUID, list[tables.Registration]]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[list[tables.Registration]]:
        async with self._session() as session:
            found = await views.registrations_by_resident(session, keys)
        return [found.get(key, []) for key in keys]


class CertificateByRegistrationIdLoader(_DatabaseLoader[uuid.UUID, tables.Certificate | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.Certificate | None]:
        return await self._by_key(keys, views.current_certificates)


class CertificateTokenByCertificateIdLoader(
    _DatabaseLoader[uuid.UUID, tables.CertificateToken | None]
):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.CertificateToken | None]:
        return await self._by_key(keys, views.certificate_tokens)


class FiguresByScopeLoader(_DatabaseLoader[str, dict[str, int]]):
    """Every figure of each place (or of the nation) asked for, in one statement."""

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(database)
        self._clock = clock

    async def fetch(self, keys: list[str]) -> list[dict[str, int]]:
        since = new_since(japan_date(self._clock.now()))
        async with self._session() as session:
            found = await views.figures(session, keys, since)
        return [found[key] for key in keys]


class PublishedFiguresByScopeLoader(_DatabaseLoader[str, views.Published]):
    """Each place's (or the nation's) figures as last published, in one statement."""

    async def fetch(self, keys: list[str]) -> list[views.Published]:
        async with self._session() as session:
            found = await views.published(session, keys)
        return [found[key] for key in keys]


@dataclass(frozen=True)
class RegistrationPage:
    code: str
    tier: Tier | None
    first: int
    after: views.Cursor | None


class RegistrationPageByPlaceLoader(
    _DatabaseLoader[RegistrationPage, views.Page[tables.Registration]]
):
    """The same page of many places' registrants, at one statement per kind of place."""

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(database)
        self._clock = clock

    async def fetch(self, keys: list[RegistrationPage]) -> list[views.Page[tables.Registration]]:
        shapes: dict[tuple[Tier | None, int, views.Cursor | None], list[str]] = defaultdict(list)
        for key in keys:
            shapes[(key.tier, key.first, key.after)].append(key.code)
        found: dict[RegistrationPage, views.Page[tables.Registration]] = {}
        async with self._session() as session:
            for (tier, first, after), codes in shapes.items():
                pages = await views.registrations_of_places(
                    session, codes, tier, self._clock.now(), first, after
                )
                for code, page in pages.items():
                    found[RegistrationPage(code, tier, first, after)] = page
        return [found[key] for key in keys]


@dataclass(frozen=True)
class ActivityPage:
    code: str
    status: ActivityStatus | None
    first: int
    after: views.Cursor | None


class ActivityPageByPlaceLoader(_DatabaseLoader[ActivityPage, views.Page[tables.Activity]]):
    async def fetch(self, keys: list[ActivityPage]) -> list[views.Page[tables.Activity]]:
        shapes: dict[tuple[ActivityStatus | None, int, views.Cursor | None], list[str]] = (
            defaultdict(list)
        )
        for key in keys:
            shapes[(key.status, key.first, key.after)].append(key.code)
        found: dict[ActivityPage, views.Page[tables.Activity]] = {}
        async with self._session() as session:
            for (status, first, after), codes in shapes.items():
                pages = await views.activities_of_places(session, codes, status, first, after)
                for code, page in pages.items():
                    found[ActivityPage(code, status, first, after)] = page
        return [found[key] for key in keys]


@dataclass(frozen=True)
class AuditPage:
    code: str
    first: int
    before: int | None


class AuditTrailPageByPlaceLoader(_DatabaseLoader[AuditPage, views.Page[tables.AuditEntry]]):
    """A place's audit trail is read by its own staff, one place at a time: a statement each."""

    async def fetch(self, keys: list[AuditPage]) -> list[views.Page[tables.AuditEntry]]:
        async with self._session() as session:
            return [
                await views.audit_trail(session, key.code, key.first, key.before) for key in keys
            ]


class ImportJobByIdLoader(_DatabaseLoader[uuid.UUID, tables.ImportJob | None]):
    async def fetch(self, keys: list[uuid.UUID]) -> list[tables.ImportJob | None]:
        return await self._by_key(keys, views.import_jobs_by_id)


@dataclass(frozen=True)
class ImportJobPage:
    code: str
    first: int
    after: tuple[datetime, uuid.UUID] | None


class ImportJobPageByPlaceLoader(_DatabaseLoader[ImportJobPage, views.Page[tables.ImportJob]]):
    """A place's imports are read by its staff or its integration, one place at a time."""

    async def fetch(self, keys: list[ImportJobPage]) -> list[views.Page[tables.ImportJob]]:
        async with self._session() as session:
            return [await views.import_jobs(session, k.code, k.first, k.after) for k in keys]


@dataclass(frozen=True)
class RejectionPage:
    job_id: uuid.UUID
    first: int
    after_line: int | None


class ImportRejectionPageByJobLoader(
    _DatabaseLoader[RejectionPage, views.Page[tables.ImportRejection]]
):
    """The rows a job turned away: its report is read one job at a time."""

    async def fetch(self, keys: list[RejectionPage]) -> list[views.Page[tables.ImportRejection]]:
        async with self._session() as session:
            return [
                await views.import_rejections(session, k.job_id, k.first, k.after_line)
                for k in keys
            ]


ResidentAtPlace = tuple[uuid.UUID, str]


class VerifiedActivitiesByResidentAtPlaceLoader(
    _DatabaseLoader[ResidentAtPlace, list[tuple[str, date]]]
):
    """Verified activities as far back as any policy may look; the policy picks what counts."""

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(database)
        self._clock = clock

    async def fetch(self, keys: list[ResidentAtPlace]) -> list[list[tuple[str, date]]]:
        since = japan_date(self._clock.now()) - timedelta(days=WINDOW_DAYS_RANGE.stop)
        async with self._session() as session:
            found = await views.verified_activities(session, keys, since)
        return [found.get(key, []) for key in keys]


class Loaders:
    """The request's loaders, each made on first use."""

    def __init__(self, database: Database, directory: MunicipalityDirectory, clock: Clock) -> None:
        self._database = database
        self._directory = directory
        self._clock = clock

    @cached_property
    def figures_by_scope(self) -> FiguresByScopeLoader:
        return FiguresByScopeLoader(self._database, self._clock)

    @cached_property
    def audit_trail_page_by_place(self) -> AuditTrailPageByPlaceLoader:
        return AuditTrailPageByPlaceLoader(self._database)

    @cached_property
    def import_job_by_id(self) -> ImportJobByIdLoader:
        return ImportJobByIdLoader(self._database)

    @cached_property
    def import_job_page_by_place(self) -> ImportJobPageByPlaceLoader:
        return ImportJobPageByPlaceLoader(self._database)

    @cached_property
    def import_rejection_page_by_job(self) -> ImportRejectionPageByJobLoader:
        return ImportRejectionPageByJobLoader(self._database)

    @cached_property
    def published_figures_by_scope(self) -> PublishedFiguresByScopeLoader:
        return PublishedFiguresByScopeLoader(self._database)

    @cached_property
    def municipality_by_code(self) -> MunicipalityByCodeLoader:
        return MunicipalityByCodeLoader(self._directory)

    @cached_property
    def participation_by_municipality_code(self) -> ParticipationByMunicipalityCodeLoader:
        return ParticipationByMunicipalityCodeLoader(self._database)

    @cached_property
    def premium_policy_by_municipality_code(self) -> PremiumPolicyByMunicipalityCodeLoader:
        return PremiumPolicyByMunicipalityCodeLoader(self._database)

    @cached_property
    def resident_by_id(self) -> ResidentByIdLoader:
        return ResidentByIdLoader(self._database)

    @cached_property
    def registration_by_id(self) -> RegistrationByIdLoader:
        return RegistrationByIdLoader(self._database)

    @cached_property
    def activity_by_id(self) -> ActivityByIdLoader:
        return ActivityByIdLoader(self._database)

    @cached_property
    def support_measure_by_id(self) -> SupportMeasureByIdLoader:
        return SupportMeasureByIdLoader(self._database)

    @cached_property
    def registrations_by_resident_id(self) -> RegistrationsByResidentIdLoader:
        return RegistrationsByResidentIdLoader(self._database)

    @cached_property
    def certificate_by_registration_id(self) -> CertificateByRegistrationIdLoader:
        return CertificateByRegistrationIdLoader(self._database)

    @cached_property
    def certificate_token_by_certificate_id(self) -> CertificateTokenByCertificateIdLoader:
        return CertificateTokenByCertificateIdLoader(self._database)

    @cached_property
    def registration_page_by_place(self) -> RegistrationPageByPlaceLoader:
        return RegistrationPageByPlaceLoader(self._database, self._clock)

    @cached_property
    def activity_page_by_place(self) -> ActivityPageByPlaceLoader:
        return ActivityPageByPlaceLoader(self._database)

    @cached_property
    def verified_activities_by_resident_at_place(
        self,
    ) -> VerifiedActivitiesByResidentAtPlaceLoader:
        return VerifiedActivitiesByResidentAtPlaceLoader(self._database, self._clock)
