"""The SQL unit of work: one session, one transaction, committed only by the service."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlmodel.ext.asyncio.session import AsyncSession

from persistence import audit, tallies
from persistence.audit import Audit
from persistence.conflicts import conflicts_raised
from persistence.database import Database
from persistence.imports import SqlImportRepository
from persistence.repositories import (
    SqlActivityRepository,
    SqlFigureRepository,
    SqlNoticeRepository,
    SqlPlaceRepository,
    SqlRegistrationRepository,
    SqlResidentRepository,
    SqlSupportMeasureRepository,
)
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


class SqlUnitOfWork:
    residents: ResidentRepository
    places: PlaceRepository
    registrations: RegistrationRepository
    activities: ActivityRepository
    support_measures: SupportMeasureRepository
    notices: NoticeRepository
    figures: FigureRepository
    imports: ImportRepository

    def __init__(self, database: Database, audit: Audit | None = None) -> None:
        self._database = database
        # Changes made outside a request (command line, schedules, tests) are the platform's.
        self._audit = audit or Audit.system("maintenance")
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = AsyncSession(self._database.write_engine, expire_on_commit=False)
        audit.watch(self._session)
        self.residents = SqlResidentRepository(self._session)
        self.places = SqlPlaceRepository(self._session)
        self.registrations = SqlRegistrationRepository(self._session)
        self.activities = SqlActivityRepository(self._session)
        self.support_measures = SqlSupportMeasureRepository(self._session)
        self.notices = SqlNoticeRepository(self._session)
        self.figures = SqlFigureRepository(self._session)
        self.imports = SqlImportRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self._require_session()
        # Whatever was not committed is rolled back: a refusal leaves nothing behind.
        await session.rollback()
        await session.close()
        self._session = None

    async def commit(self) -> None:
        session = self._require_session()
        async with conflicts_raised():
            await audit.write_changes(session, self._audit)
            await tallies.flush(session)
            await session.commit()

    async def rollback(self) -> None:
        session = self._require_session()
        tallies.discard(session)
        audit.forget(session)
        await session.rollback()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self._session
