"""The figures of a scope, put together for a dashboard and disclosed as the viewer may see
them (domain/disclosure.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from domain import disclosure
from domain.statistics import (
    BORN,
    HOME,
    INTEREST,
    PERSONS,
    PLACES,
    REGISTRATIONS,
    RELATIONSHIP,
    Flow,
    daily_figure,
    person_tier_figure,
    tier_figure,
)
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship

NEW_WITHIN_DAYS = 30


def new_since(today: date) -> date:
    """The first day whose registrations count as new today."""
    return today - timedelta(days=NEW_WITHIN_DAYS - 1)


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
    new_last_30_days: int | None
    premium_conversion_rate: float | None
    by_relationship: Cells
    by_home_prefecture: Cells
    by_age_band: Cells
    by_interest: Cells
    monthly: list[Month]


def _with_prefix(figures: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {
        name.removeprefix(prefix): count
        for name, count in figures.items()
        if name.startswith(prefix) and count
    }


def _reveal(counts: Mapping[str, int], *, adds_up: bool, exact: bool) -> Cells:
    if exact:
        return dict(counts)
    return disclosure.breakdown(counts, adds_up=adds_up)


def _one(count: int, exact: bool) -> int | None:
    return count if exact else disclosure.shown(count)


def monthly(figures: Mapping[str, int], *, exact: bool) -> list[Month]:
    """Month by month. Registrations less withdrawals is the number registered now, which is
    shown: the two series are disclosed as one breakdown, so that a lone small month of either
    takes a second one with it. Grants and verified activities add up to nothing shown."""
    flows = {flow: _with_prefix(figures, f"{flow}:") for flow in Flow.ALL_MONTHLY}
    together = _reveal(
        {
            f"{flow}:{month}": count
            for flow in (Flow.REGISTERED, Flow.WITHDRAWN)
            for month, count in flows[flow].items()
        },
        adds_up=True,
        exact=exact,
    )
    series: dict[str, Cells] = {
        flow: {month: together[f"{flow}:{month}"] for month in flows[flow]}
        for flow in (Flow.REGISTERED, Flow.WITHDRAWN)
    }
    for flow in (Flow.PREMIUM_GRANTED, Flow.ACTIVITY_VERIFIED):
        series[flow] = _reveal(flows[flow], adds_up=False, exact=exact)
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


def _age_bands(figures: Mapping[str, int], today: date) -> dict[str, int]:
    bands: Counter[str] = Counter({band.key: 0 for band in disclosure.AGE_BANDS})
    for born, count in _with_prefix(figures, BORN).items():
        bands[disclosure.age_band(int(born) if born.isdigit() else None, today)] += count
    return dict(bands)


def _every(keys: Iterable[str], counts: Mapping[str, int]) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in keys}


def place_overview(figures: Mapping[str, int], today: date, *, exact: bool) -> PlaceOverview:
    """`exact`: the viewer is the place's own staff, who see small counts as they are."""
    persons = figures.get(PERSONS, 0)
    tiers = _reveal(
        {tier.value: figures.get(person_tier_figure(tier), 0) for tier in Tier},
        adds_up=True,
        exact=exact,
    )
    registrants = _one(persons, exact)
    first = new_since(today)
    new = sum(
        figures.get(daily_figure(first + timedelta(days=day)), 0) for day in range(NEW_WITHIN_DAYS)
    )
    months = monthly(figures, exact=exact)
    hidden = {m.month for m in months if m.registrations is None}
    # Else the window, nearly a month, would show a month hidden beside it.
    beside_hidden = bool({f"{first:%Y-%m}", f"{today:%Y-%m}"} & hidden)
    new_shown = None if beside_hidden else _one(new, exact)
    return PlaceOverview(
        registrants=registrants,
        basic=tiers[Tier.BASIC.value],
        premium=tiers[Tier.PREMIUM.value],
        registrations=_one(figures.get(REGISTRATIONS, 0), exact),
        new_last_30_days=new_shown,
        premium_conversion_rate=disclosure.ratio(tiers[Tier.PREMIUM.value], registrants),
        by_relationship=_reveal(
            _every(Relationship, _with_prefix(figures, RELATIONSHIP)), adds_up=True, exact=exact
        ),
        by_home_prefecture=_reveal(_with_prefix(figures, HOME), adds_up=True, exact=exact),
        by_age_band=_reveal(_age_bands(figures, today), adds_up=True, exact=exact),
        # A registration may have several interests or none: these add up to nothing shown.
        by_interest=_reveal(
            _every(Interest, _with_prefix(figures, INTEREST)), adds_up=False, exact=exact
        ),
        monthly=months,
    )


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
    registrations_per_resident: Cells
    monthly: list[Month]
    # The breakdowns a place's dashboard has, for the whole country.
    as_a_place: PlaceOverview


def national_overview(
    nation: Mapping[str, int],
    prefectures: Mapping[str, Mapping[str, int]],
    participating_municipalities: int,
    today: date,
) -> NationalOverview:
    """Nobody is the nation's own staff: every small count is suppressed."""
    premium_figure = tier_figure(Tier.PREMIUM)
    codes = sorted(prefectures)
    registrations = disclosure.breakdown(
        {code: prefectures[code].get(REGISTRATIONS, 0) for code in codes}, adds_up=True
    )
    premium = disclosure.breakdown(
        {code: prefectures[code].get(premium_figure, 0) for code in codes}, adds_up=True
    )
    return NationalOverview(
        unique_residents=disclosure.shown(nation.get(PERSONS, 0)),
        total_registrations=disclosure.shown(nation.get(REGISTRATIONS, 0)),
        premium_registrations=disclosure.shown(nation.get(premium_figure, 0)),
        participating_municipalities=participating_municipalities,
        by_prefecture=[
            PrefectureLine(
                prefecture_code=code,
                registrations=registrations[code],
                # A person may be in two prefectures: these do not add up to the nation's.
                unique_residents=disclosure.shown(prefectures[code].get(PERSONS, 0)),
                premium=premium[code],
            )
            for code in codes
        ],
        registrations_per_resident=disclosure.breakdown(_with_prefix(nation, PLACES), adds_up=True),
        monthly=monthly(nation, exact=False),
        as_a_place=place_overview(nation, today, exact=False),
    )
