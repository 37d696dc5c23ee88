"""What a service needs from storage, as protocols the SQL and the fake versions fulfil."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from domain.activities import Activity
from domain.notices import Notice
from domain.places import Participation
from domain.premium import PremiumPolicy
from domain.registrations import Registration
from domain.residents import Resident
from domain.support import SupportMeasure
from domain.vocabulary import ActivityKind


class Conflict(Exception):
    """A concurrent change won the race (a unique constraint refused this one)."""


class ResidentRepository(Protocol):
    async def get(self, resident_id: uuid.UUID, *, lock: bool = False) -> Resident | None: ...
    async def get_by_subject(self, subject: str, *, lock: bool = False) -> Resident | None: ...
    async def add(self, resident: Resident) -> None: ...
    async def update(self, resident: Resident) -> None: ...


class PlaceRepository(Protocol):
    async def exists(self, code: str) -> bool: ...
    async def participation(self, code: str) -> Participation | None: ...
    async def save_participation(self, participation: Participation) -> None: ...
    async def premium_policy(self, code: str) -> PremiumPolicy: ...
    async def save_premium_policy(self, code: str, policy: PremiumPolicy) -> None: ...


class RegistrationRepository(Protocol):
    async def get(
        self, registration_id: uuid.UUID, *, lock: bool = False
    ) -> Registration | None: ...
    async def of_resident(
        self, resident_id: uuid.UUID, *, lock: bool = False
    ) -> list[Registration]: ...
    async def premium_ended_by(self, now: datetime, limit: int) -> list[Registration]: ...
    async def add(self, registration: Registration) -> None: ...
    async def update(self, registration: Registration) -> None: ...


class ActivityRepository(Protocol):
    async def get(self, activity_id: uuid.UUID, *, lock: bool = False) -> Activity | None: ...
    async def verified_since(
        self, resident_id: uuid.UUID, municipality_code: str, since: date
    ) -> list[tuple[ActivityKind, date]]: ...
    async def add(self, activity: Activity) -> None: ...
    async def update(self, activity: Activity) -> None: ...


class SupportMeasureRepository(Protocol):
    async def add(self, measure: SupportMeasure) -> None: ...


class NoticeRepository(Protocol):
    async def add(self, notice: Notice) -> None: ...


class FigureRepository(Protocol):
    async def kept(self, since: date) -> dict[str, dict[str, int]]: ...
    async def publish(
        self, cells: Mapping[str, Mapping[str, int | None]], at: datetime
    ) -> None: ...
    async def forget_days_before(self, day: date) -> None: ...
    async def last_published(self) -> datetime | None: ...


class UnitOfWork(Protocol):
    residents: ResidentRepository
    places: PlaceRepository
    registrations: RegistrationRepository
    activities: ActivityRepository
    support_measures: SupportMeasureRepository
    notices: NoticeRepository
    figures: FigureRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make the unit's changes durable; Conflict if a constraint refused them."""
        ...

    async def rollback(self) -> None: ...
