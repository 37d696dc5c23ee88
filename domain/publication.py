"""The figures everyone but a place's own staff sees: every place's cells at once, with the
counts that could point at someone suppressed so that no sum a reader knows gives them back
(domain/disclosure.py). Computed for all places together because the sums cross places: a
prefecture's registrations are its municipalities' and its own, the nation's the
prefectures'."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from domain import municipality_code
from domain.disclosure import Count, Sum, suppress
from domain.overview import (
    AGE,
    BASIC,
    NEW_LAST_30_DAYS,
    PREMIUM,
    REGISTRANTS,
    REGISTRATIONS,
    Cells,
    cells_of,
    is_additive,
    months_of_new,
)
from domain.statistics import HOME, NATION, PLACES, RELATIONSHIP, Flow

# The registrations a prefecture has of its own, not its municipalities': printed nowhere,
# but known to whoever subtracts the municipalities from the prefecture.
OWN = "own:"


def _own(prefecture: str) -> str:
    return f"{OWN}{prefecture}"


def _parts(cells: Mapping[str, int], scope: str, *prefixes: str) -> tuple[Count, ...]:
    return tuple((scope, name) for name in cells if name.startswith(prefixes))


def _sums_within(scope: str, cells: Mapping[str, int]) -> list[Sum]:
    registrants, registrations = (scope, REGISTRANTS), (scope, REGISTRATIONS)
    monthly_inflow = (f"{Flow.REGISTERED}:", f"{Flow.WITHDRAWN}:")
    sums = [
        Sum(registrants, ((scope, BASIC), (scope, PREMIUM))),
        Sum(registrants, _parts(cells, scope, HOME)),
        Sum(registrants, _parts(cells, scope, AGE)),
        Sum(registrants, _parts(cells, scope, PLACES)),
        Sum(registrations, _parts(cells, scope, RELATIONSHIP)),
        # Registered now: all who registered, less all who withdrew.
        Sum(registrations, _parts(cells, scope, *monthly_inflow)),
    ]
    return [sum_ for sum_ in sums if sum_.parts]


def _sums_across(cells: Mapping[str, Mapping[str, int]]) -> list[Sum]:
    under: defaultdict[str, list[str]] = defaultdict(list)
    for scope in cells:
        if scope == NATION:
            continue
        parent = municipality_code.prefecture_of(scope)
        under[NATION if parent == scope else parent].append(scope)
    names = {name for place in cells.values() for name in place if is_additive(name)}
    sums = []
    for parent, children in under.items():
        if parent != NATION:
            children = [*children, _own(parent)]
        sums += [Sum((parent, name), tuple((child, name) for child in children)) for name in names]
    return sums


def _own_cells(cells: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    own: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for scope, place in cells.items():
        if scope == NATION:
            continue
        prefecture = municipality_code.prefecture_of(scope)
        sign = 1 if prefecture == scope else -1
        for name, count in place.items():
            if is_additive(name):
                own[_own(prefecture)][name] = own[_own(prefecture)].get(name, 0) + sign * count
    return own


def publish(figures: Mapping[str, Mapping[str, int]], today: date) -> dict[str, Cells]:
    """Every scope's cells as anyone but its own staff may see them (None: suppressed).
    `figures`: the kept figures of every place with any, and of the nation."""
    # The nation is published even with nothing in it: that a publication was made is news.
    cells = {scope: cells_of(place, today) for scope, place in {NATION: {}, **figures}.items()}
    values: dict[Count, int] = {
        (scope, name): count
        for scope, place in {**cells, **_own_cells(cells)}.items()
        for name, count in place.items()
    }
    sums = [sum_ for scope, place in cells.items() for sum_ in _sums_within(scope, place)]
    sums += _sums_across(cells)
    hidden_with = {
        (scope, f"{Flow.REGISTERED}:{month}"): [(scope, NEW_LAST_30_DAYS)]
        for scope in cells
        for month in months_of_new(today)
    }
    hidden = suppress(
        values, sums, printed=lambda count: not count[0].startswith(OWN), hidden_with=hidden_with
    )
    return {
        scope: {name: None if (scope, name) in hidden else count for name, count in place.items()}
        for scope, place in cells.items()
    }
