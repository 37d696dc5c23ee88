"""The figures of a place and of the nation, disclosed as the caller may see them."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code, overview
from domain.clock import japan_date
from domain.statistics import NATION, PERSONS, REGISTRATIONS, tier_figure
from domain.tiers import Tier
from persistence import views
from persistence.database import Database
from resolvers.context import Context

PREFECTURE_FIGURES = (REGISTRATIONS, PERSONS, tier_figure(Tier.PREMIUM))


async def place(context: Context, code: str) -> overview.PlaceOverview:
    figures = await context.loaders.figures_by_scope.load(code)
    exact = context.signed_in().sees_small_counts_of(code)
    return overview.place_overview(figures, japan_date(context.clock.now()), exact=exact)


async def nation(context: Context) -> overview.NationalOverview:
    return await read_nation(context.database, japan_date(context.clock.now()))


async def read_place(
    database: Database, code: str, today: date, *, exact: bool
) -> overview.PlaceOverview:
    async with AsyncSession(database.read_engine) as session:
        figures = await views.figures(session, [code], overview.new_since(today))
    return overview.place_overview(figures[code], today, exact=exact)


async def read_nation(database: Database, today: date) -> overview.NationalOverview:
    prefectures = municipality_code.PREFECTURES
    async with AsyncSession(database.read_engine) as session:
        national = await views.figures(session, [NATION], overview.new_since(today))
        by_prefecture = await views.figures(
            session, prefectures, overview.new_since(today), PREFECTURE_FIGURES
        )
        participating = await views.participating_municipalities(session, today)
    return overview.national_overview(national[NATION], by_prefecture, participating, today)
