"""The figures of a place as a dashboard shows them: its cells (the counts a dashboard prints,
each named) and the overview they make. Which cells a viewer may see is decided elsewhere
(domain/publication.py); a place's own staff see every cell as it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain import disclosure
from domain.clock import japan_date
from domain.statistics import (
    BORN,
    HOME,
    INTEREST,
    PERSONS,
    PLACES,
    RELATIONSHIP,
    Flow,
    daily_figure,
    person_tier_figure,
    tier_figure,
)
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship

NEW_WITHIN_DAYS = 30

# The cells of a place. Breakdowns and months keep the names of their figures
# ("relationship:FAMILY", "registered:2027-01"); ages are "age:<band>".
REGISTRANTS = "registrants"
BASIC = "basic"
PREMIUM = "premium"
REGISTRATIONS = "registrations"
PREMIUM_REGISTRATIONS = "premium_registrations"
NEW_LAST_30_DAYS = "new_last_30_days"
AGE = "age:"
MONTHLY = tuple(f"{flow}:" for flow in Flow.ALL_MONTHLY)
KEPT_AS_THEY_ARE = (RELATIONSHIP, HOME, INTEREST, PLACES, *MONTHLY)

# Cells that count registrations or events, not persons: a prefecture's is the sum of its
# municipalities' and its own, the nation's the sum of the prefectures'.
ADDITIVE = (REGISTRATIONS, PREMIUM_REGISTRATIONS, NEW_LAST_30_DAYS)
ADDITIVE_BREAKDOWNS = (RELATIONSHIP, INTEREST, *MONTHLY)


def is_additive(cell: str) -> bool:
    return cell in ADDITIVE or cell.startswith(ADDITIVE_BREAKDOWNS)


def new_since(today: date) -> date:
    """The first day whose registrations count as new today."""
    return today - timedelta(days=NEW_WITHIN_DAYS - 1)


def months_of_new(today: date) -> tuple[str, str]:
    """The months the last 30 days fall in: a month hidden there hides them too."""
    return f"{new_since(today):%Y-%m}", f"{today:%Y-%m}"


def _age_bands(figures: Mapping[str, int], today: date) -> Counter[str]:
    bands: Counter[str] = Counter()
    for name, count in figures.items():
        if name.startswith(BORN) and count:
            born = name.removeprefix(BORN)
            bands[disclosure.age_band(int(born) if born.isdigit() else None, today)] += count
    return bands


def cells_of(figures: Mapping[str, int], today: date) -> dict[str, int]:
    """A place's cells from its figures; cells of nothing are left out."""
    first = new_since(today)
    cells = {
        REGISTRANTS: figures.get(PERSONS, 0),
        BASIC: figures.get(person_tier_figure(Tier.BASIC), 0),
        PREMIUM: figures.get(person_tier_figure(Tier.PREMIUM), 0),
        REGISTRATIONS: figures.get(REGISTRATIONS, 0),
        PREMIUM_REGISTRATIONS: figures.get(tier_figure(Tier.PREMIUM), 0),
        NEW_LAST_30_DAYS: sum(
            figures.get(daily_figure(first + timedelta(days=day)), 0)
            for day in range(NEW_WITHIN_DAYS)
        ),
        **{
            name: count
            for name, count in figures.items()
            if name.startswith(KEPT_AS_THEY_ARE) and count
        },
        **{f"{AGE}{band}": count for band, count in _age_bands(figures, today).items()},
    }
    return {name: count for name, count in cells.items() if count}


Cells = dict[str, int | None]


@dataclass(frozen=True)
class Month:
    month: str
    registrations: int | None
    withdrawals: int | None
    premium_grants: int | None
    verified_activities: int | None


@dataclass(frozen=True)
class PlaceOverview:
    registrants: int | None
    basic: int | None
    premium: int | None
    registrations: int | None
    premium_registrations: int | None
    new_last_30_days: int | None
    premium_conversion_rate: float | None
    by_relationship: Cells
    by_home_prefecture: Cells
    by_age_band: Cells
    by_interest: Cells
    # Registrants by how many places they are registered with, anywhere.
    registrations_per_resident: Cells
    monthly: list[Month]
    # When the figures were read; None before anything was published.
    as_of: datetime | None


def _breakdown(cells: Mapping[str, int | None], prefix: str, keys: Iterable[str] = ()) -> Cells:
    """A breakdown's parts, `keys` among them even when there is none of them, in their order;
    any other parts after them in the order of their names (not in the order the database
    happened to return the figures)."""
    parts: Cells = dict.fromkeys(keys, 0)
    parts.update(
        sorted(
            (name.removeprefix(prefix), count)
            for name, count in cells.items()
            if name.startswith(prefix)
        )
    )
    return parts


def _monthly(cells: Mapping[str, int | None]) -> list[Month]:
    series = {flow: _breakdown(cells, f"{flow}:") for flow in Flow.ALL_MONTHLY}
    months = sorted({month for counts in series.values() for month in counts})
    return [
        Month(
            month=month,
            registrations=series[Flow.REGISTERED].get(month, 0),
            withdrawals=series[Flow.WITHDRAWN].get(month, 0),
            premium_grants=series[Flow.PREMIUM_GRANTED].get(month, 0),
            verified_activities=series[Flow.ACTIVITY_VERIFIED].get(month, 0),
        )
        for month in months
    ]


def overview_of(cells: Mapping[str, int | None], as_of: datetime | None) -> PlaceOverview:
    """A place's overview from its cells, each a count or None where it is suppressed."""
    registrants = cells.get(REGISTRANTS, 0)
    premium = cells.get(PREMIUM, 0)
    return PlaceOverview(
        registrants=registrants,
        basic=cells.get(BASIC, 0),
        premium=premium,
        registrations=cells.get(REGISTRATIONS, 0),
        premium_registrations=cells.get(PREMIUM_REGISTRATIONS, 0),
        new_last_30_days=cells.get(NEW_LAST_30_DAYS, 0),
        premium_conversion_rate=disclosure.ratio(premium, registrants),
        by_relationship=_breakdown(cells, RELATIONSHIP, Relationship),
        by_home_prefecture=_breakdown(cells, HOME),
        by_age_band=_breakdown(cells, AGE, (band.key for band in disclosure.AGE_BANDS)),
        by_interest=_breakdown(cells, INTEREST, Interest),
        registrations_per_resident=_breakdown(cells, PLACES),
        monthly=_monthly(cells),
        as_of=as_of,
    )


def as_it_is(figures: Mapping[str, int], now: datetime) -> PlaceOverview:
    """A place's overview for its own staff: every count as kept, now."""
    return overview_of(cells_of(figures, japan_date(now)), now)


@dataclass(frozen=True)
class PrefectureLine:
    prefecture_code: str
    registrations: int | None
    unique_residents: int | None
    premium: int | None


@dataclass(frozen=True)
class NationalOverview:
    unique_residents: int | None
    total_registrations: int | None
    premium_registrations: int | None
    participating_municipalities: int
    by_prefecture: list[PrefectureLine]
    # The breakdowns a place's dashboard has, for the whole country.
    as_a_place: PlaceOverview


def national_overview(
    nation: Mapping[str, int | None],
    prefectures: Mapping[str, Mapping[str, int | None]],
    participating_municipalities: int,
    as_of: datetime | None,
) -> NationalOverview:
    """The nation's overview from its published cells and its prefectures'."""
    country = overview_of(nation, as_of)
    return NationalOverview(
        unique_residents=country.registrants,
        total_registrations=country.registrations,
        premium_registrations=country.premium_registrations,
        participating_municipalities=participating_municipalities,
        by_prefecture=[
            PrefectureLine(
                prefecture_code=code,
                registrations=cells.get(REGISTRATIONS, 0),
                unique_residents=cells.get(REGISTRANTS, 0),
                premium=cells.get(PREMIUM_REGISTRATIONS, 0),
            )
            for code, cells in sorted(prefectures.items())
        ],
        as_a_place=country,
    )
