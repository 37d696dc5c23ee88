"""Figures as CSV, for a municipality's own spreadsheets and for open data, with the same
suppression as the API: exact only for the place's own staff."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.clock import Clock, japan_date
from domain.overview import Cells, Month, NationalOverview, PlaceOverview
from domain.roles import Actor
from edge.authentication import actor_of
from edge.file_routes import needs_a_token, not_allowed, place_of
from persistence.database import Database
from resolvers import statistics
from resolvers.directory import MunicipalityDirectory

NATION_SCOPE = "nation"
HEADER = ("scope", "figure", "key", "value", "suppressed")
Row = tuple[str, str, str, int | float | str | None]


def _cells(scope: str, figure: str, cells: Cells) -> list[Row]:
    return [(scope, figure, key, count) for key, count in cells.items()]


def _months(scope: str, months: list[Month]) -> list[Row]:
    rows: list[Row] = []
    for m in months:
        rows += [
            (scope, "monthly_registrations", m.month, m.registrations),
            (scope, "monthly_withdrawals", m.month, m.withdrawals),
            (scope, "monthly_premium_grants", m.month, m.premium_grants),
            (scope, "monthly_verified_activities", m.month, m.verified_activities),
        ]
    return rows


def _breakdowns(scope: str, figures: PlaceOverview) -> list[Row]:
    return [
        (scope, "new_last_30_days", "", figures.new_last_30_days),
        (scope, "premium_conversion_rate", "", figures.premium_conversion_rate),
        *_cells(scope, "by_relationship", figures.by_relationship),
        *_cells(scope, "by_home_prefecture", figures.by_home_prefecture),
        *_cells(scope, "by_age_band", figures.by_age_band),
        *_cells(scope, "by_interest", figures.by_interest),
        *_cells(scope, "registrations_per_resident", figures.registrations_per_resident),
        *_months(scope, figures.monthly),
    ]


def _as_of(scope: str, figures: PlaceOverview) -> Row:
    """When the figures were read; empty before the first publication."""
    return (scope, "as_of", "", figures.as_of.isoformat() if figures.as_of else "")


def place_rows(scope: str, figures: PlaceOverview) -> list[Row]:
    return [
        _as_of(scope, figures),
        (scope, "registrants", "", figures.registrants),
        (scope, "basic", "", figures.basic),
        (scope, "premium", "", figures.premium),
        (scope, "registrations", "", figures.registrations),
        (scope, "premium_registrations", "", figures.premium_registrations),
        *_breakdowns(scope, figures),
    ]


def nation_rows(figures: NationalOverview) -> list[Row]:
    scope = NATION_SCOPE
    rows: list[Row] = [
        _as_of(scope, figures.as_a_place),
        (scope, "unique_residents", "", figures.unique_residents),
        (scope, "total_registrations", "", figures.total_registrations),
        (scope, "premium_registrations", "", figures.premium_registrations),
        (scope, "participating_municipalities", "", figures.participating_municipalities),
    ]
    for line in figures.by_prefecture:
        rows += [
            (scope, "prefecture_registrations", line.prefecture_code, line.registrations),
            (scope, "prefecture_unique_residents", line.prefecture_code, line.unique_residents),
            (scope, "prefecture_premium", line.prefecture_code, line.premium),
        ]
    return rows + _breakdowns(scope, figures.as_a_place)


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for scope, figure, key, value in rows:
        writer.writerow((scope, figure, key, "" if value is None else value, value is None))
    return out.getvalue()


async def csv_of(database: Database, scope: str, now: datetime, actor: Actor | None) -> str:
    """The figures of `nation` or of a place's code; exact only for that place's own staff."""
    if scope == NATION_SCOPE:
        return to_csv(nation_rows(await statistics.read_nation(database, japan_date(now))))
    figures = await statistics.read_place(database, scope, now, actor)
    return to_csv(place_rows(scope, figures))


def export_routes(database: Database, clock: Clock) -> list[Route]:
    directory = MunicipalityDirectory(database)

    async def download(request: Request) -> Response:
        actor = actor_of(request)
        if actor is None:
            return needs_a_token()
        scope = request.path_params["scope"]
        if scope == NATION_SCOPE:
            allowed = actor.sees_national_figures
        else:
            place = await place_of(directory, scope)
            if isinstance(place, Response):
                return place
            scope, allowed = place, actor.sees_figures_of(place)
        if not allowed:
            return not_allowed()
        body = await csv_of(database, scope, clock.now(), actor)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="stats-{scope}.csv"'},
        )

    return [Route("/exports/stats/{scope}.csv", download)]
