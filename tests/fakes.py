"""An in-memory unit of work: the services' rules tested without a database."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Self

from domain.activities import Activity, ActivityStatus
from domain.events import EventType, MunicipalEvent, SubjectKind
from domain.imports import ActivityRow, ImportJob, ImportKind, RegistrantRow, Rejection
from domain.notices import Notice, publication
from domain.places import Participation
from domain.premium import DEFAULT_POLICY, PremiumPolicy
from domain.registrations import Registration
from domain.residents import Resident
from domain.statistics import daily_figure
from domain.support import SupportMeasure
from domain.tiers import Tier
from domain.vocabulary import ActivityKind
from persistence.master_data import shipped
from services.unit_of_work import (
    ActivityRepository,
    FigureRepository,
    ImportRepository,
    NoticeRepository,
    PlaceRepository,
    RegistrationRepository,
    ResidentRepository,
    SupportMeasureRepository,
)


@dataclass
class Store:
    places: set[str] = field(default_factory=lambda: {p.code for p in shipped()})
    participations: dict[str, Participation] = field(default_factory=dict)
    policies: dict[str, PremiumPolicy] = field(default_factory=dict)
    residents: dict[uuid.UUID, Resident] = field(default_factory=dict)
    registrations: dict[uuid.UUID, Registration] = field(default_factory=dict)
    activities: dict[uuid.UUID, Activity] = field(default_factory=dict)
    support_measures: dict[uuid.UUID, SupportMeasure] = field(default_factory=dict)
    notices: dict[uuid.UUID, Notice] = field(default_factory=dict)
    events: list[MunicipalEvent] = field(default_factory=list)
    # The kept figures a publication reads, and what it published.
    figures: dict[str, dict[str, int]] = field(default_factory=dict)
    published: dict[str, dict[str, int | None]] = field(default_factory=dict)
    published_at: datetime | None = None
    # Imports: jobs, the rows they turned away, each imported row by its key (fingerprint,
    # person), and the rows written.
    import_jobs: dict[uuid.UUID, ImportJob] = field(default_factory=dict)
    import_rejections: dict[uuid.UUID, list[Rejection]] = field(default_factory=dict)
    import_records: dict[tuple[str, str, str], tuple[str, uuid.UUID]] = field(default_factory=dict)
    imported_rows: list[RegistrantRow | ActivityRow] = field(default_factory=list)


def _take_events(store: Store, events: list[MunicipalEvent]) -> None:
    store.events.extend(events)
    events.clear()


class FakeResidents:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, resident_id: uuid.UUID, *, lock: bool = False) -> Resident | None:
        return copy.deepcopy(self._store.residents.get(resident_id))

    async def get_by_subject(self, subject: str, *, lock: bool = False) -> Resident | None:
        found = next((r for r in self._store.residents.values() if r.subject == subject), None)
        return copy.deepcopy(found)

    async def add(self, resident: Resident) -> None:
        self._store.residents[resident.id] = resident

    async def update(self, resident: Resident) -> None:
        self._store.residents[resident.id] = resident


class FakePlaces:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def codes(self) -> frozenset[str]:
        return frozenset(self._store.places)

    async def exists(self, code: str) -> bool:
        return code in self._store.places

    async def participation(self, code: str) -> Participation | None:
        return self._store.participations.get(code)

    async def save_participation(self, participation: Participation) -> None:
        self._store.participations[participation.municipality_code] = participation

    async def premium_policy(self, code: str) -> PremiumPolicy:
        return self._store.policies.get(code, DEFAULT_POLICY)

    async def save_premium_policy(self, code: str, policy: PremiumPolicy) -> None:
        self._store.policies[code] = policy


class FakeRegistrations:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, registration_id: uuid.UUID, *, lock: bool = False) -> Registration | None:
        return copy.deepcopy(self._store.registrations.get(registration_id))

    async def of_resident(
        self, resident_id: uuid.UUID, *, lock: bool = False
    ) -> list[Registration]:
        return [
            copy.deepcopy(r)
            for r in self._store.registrations.values()
            if r.resident_id == resident_id
        ]

    async def premium_ended_by(self, now: datetime, limit: int) -> list[Registration]:
        due = [
            copy.deepcopy(r)
            for r in self._store.registrations.values()
            if r.tier is Tier.PREMIUM and r.premium_until is not None and r.premium_until <= now
        ]
        return due[:limit]

    async def add(self, registration: Registration) -> None:
        self._store.registrations[registration.id] = registration
        _take_events(self._store, registration.events)

    async def update(self, registration: Registration) -> None:
        self._store.registrations[registration.id] = registration
        _take_events(self._store, registration.events)


class FakeActivities:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, activity_id: uuid.UUID, *, lock: bool = False) -> Activity | None:
        return copy.deepcopy(self._store.activities.get(activity_id))

    async def verified_since(
        self, resident_id: uuid.UUID, municipality_code: str, since: date
    ) -> list[tuple[ActivityKind, date]]:
        return [
            (a.kind, a.occurred_on)
            for a in self._store.activities.values()
            if a.resident_id == resident_id
            and a.municipality_code == municipality_code
            and a.status is ActivityStatus.VERIFIED
            and a.occurred_on >= since
        ]

    async def add(self, activity: Activity) -> None:
        self._store.activities[activity.id] = activity
        _take_events(self._store, activity.events)

    async def update(self, activity: Activity) -> None:
        self._store.activities[activity.id] = activity
        _take_events(self._store, activity.events)


class FakeSupportMeasures:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, measure: SupportMeasure) -> None:
        self._store.support_measures[measure.id] = measure


class FakeNotices:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, notice: Notice) -> None:
        self._store.notices[notice.id] = notice
        self._store.events.append(publication(notice))


class FakeFigures:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def kept(self, since: date) -> dict[str, dict[str, int]]:
        return copy.deepcopy(self._store.figures)

    async def publish(self, cells: Mapping[str, Mapping[str, int | None]], at: datetime) -> None:
        self._store.published = {scope: dict(place) for scope, place in cells.items()}
        self._store.published_at = at

    async def last_published(self) -> datetime | None:
        return self._store.published_at

    async def forget_days_before(self, day: date) -> None:
        oldest_kept = daily_figure(day)
        for figures in self._store.figures.values():
            for name in [n for n in figures if n.startswith("registered_on:") and n < oldest_kept]:
                del figures[name]


class FakeImports:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add_job(self, job: ImportJob) -> None:
        self._store.import_jobs[job.id] = copy.deepcopy(job)

    async def lock(self, job: ImportJob) -> None:
        return None

    def _records(self, code: str, kind: ImportKind) -> dict[str, tuple[str, uuid.UUID]]:
        return {
            key: record
            for (place, of_kind, key), record in self._store.import_records.items()
            if place == code and of_kind == kind.value
        }

    async def fingerprints(self, code: str, kind: ImportKind) -> dict[str, str]:
        return {key: fingerprint for key, (fingerprint, _) in self._records(code, kind).items()}

    async def people(self, code: str, kind: ImportKind) -> dict[str, uuid.UUID]:
        return {key: person for key, (_, person) in self._records(code, kind).items()}

    async def save_job(self, job: ImportJob, rejections: Sequence[Rejection]) -> None:
        self._store.import_jobs[job.id] = copy.deepcopy(job)
        self._store.import_rejections[job.id] = list(rejections)

    async def announce(self, job: ImportJob, now: datetime) -> None:
        self._store.events.append(
            MunicipalEvent(
                EventType.LIST_IMPORTED, job.municipality_code, now, SubjectKind.IMPORT_JOB, job.id
            )
        )

    def _record(
        self, job: ImportJob, row: RegistrantRow | ActivityRow, resident: uuid.UUID
    ) -> None:
        key = (job.municipality_code, job.kind.value, row.external_id)
        self._store.import_records[key] = (row.fingerprint, resident)
        self._store.imported_rows.append(row)

    async def add_registrants(
        self, job: ImportJob, rows: Sequence[RegistrantRow], now: datetime
    ) -> None:
        for row in rows:
            self._record(job, row, uuid.uuid4())

    async def update_registrants(self, job: ImportJob, rows: Sequence[RegistrantRow]) -> None:
        for row in rows:
            key = (job.municipality_code, job.kind.value, row.external_id)
            self._record(job, row, self._store.import_records[key][1])

    async def add_activities(
        self,
        job: ImportJob,
        rows: Sequence[tuple[ActivityRow, uuid.UUID]],
        now: datetime,
        reviewer: str,
    ) -> None:
        for row, resident in rows:
            self._record(job, row, resident)

    async def update_activities(self, job: ImportJob, rows: Sequence[ActivityRow]) -> None:
        for row in rows:
            key = (job.municipality_code, job.kind.value, row.external_id)
            self._record(job, row, self._store.import_records[key][1])


class FakeUnitOfWork:
    """Changes are made on a copy of the committed store and kept only on commit."""

    residents: ResidentRepository
    places: PlaceRepository
    registrations: RegistrationRepository
    activities: ActivityRepository
    support_measures: SupportMeasureRepository
    notices: NoticeRepository
    figures: FigureRepository
    imports: ImportRepository

    def __init__(self) -> None:
        self.committed = Store()
        self.commits = 0
        self._working: Store | None = None

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self.committed)
        self.residents = FakeResidents(self._working)
        self.places = FakePlaces(self._working)
        self.registrations = FakeRegistrations(self._working)
        self.activities = FakeActivities(self._working)
        self.support_measures = FakeSupportMeasures(self._working)
        self.notices = FakeNotices(self._working)
        self.figures = FakeFigures(self._working)
        self.imports = FakeImports(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._working = None

    async def commit(self) -> None:
        assert self._working is not None
        self.committed = copy.deepcopy(self._working)
        self.commits += 1

    async def rollback(self) -> None:
        await self.__aenter__()
