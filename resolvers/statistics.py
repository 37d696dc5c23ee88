"""The figures of a place and of the nation, as the caller may see them: a place's own staff
read its kept figures as they are now, everyone else the last publication."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code, overview
from domain.clock import japan_date
from domain.roles import Actor
from domain.statistics import NATION
from persistence import views
from persistence.database import Database
from resolvers.context import Context


async def place(context: Context, code: str) -> overview.PlaceOverview:
    now = context.clock.now()
    if context.signed_in().sees_small_counts_of(code):
        figures = await context.loaders.figures_by_scope.load(code)
        return overview.as_it_is(figures, now)
    published = await context.loaders.published_figures_by_scope.load(code)
    return overview.overview_of(published.cells, published.published_at)


async def nation(context: Context) -> overview.NationalOverview:
    return await read_nation(context.database, japan_date(context.clock.now()))


async def read_place(
    database: Database, code: str, now: datetime, viewer: Actor | None
) -> overview.PlaceOverview:
    async with AsyncSession(database.read_engine) as session:
        if viewer is not None and viewer.sees_small_counts_of(code):
            since = overview.new_since(japan_date(now))
            figures = await views.figures(session, [code], since)
            return overview.as_it_is(figures[code], now)
        published = (await views.published(session, [code]))[code]
    return overview.overview_of(published.cells, published.published_at)


async def read_nation(database: Database, today: date) -> overview.NationalOverview:
    prefectures = municipality_code.PREFECTURES
    async with AsyncSession(database.read_engine) as session:
        published = await views.published(session, [NATION, *prefectures])
        participating = await views.participating_municipalities(session, today)
    return overview.national_overview(
        published[NATION].cells,
        {code: published[code].cells for code in prefectures},
        participating,
        published[NATION].published_at,
    )
