"""What everyone but a place's own staff sees: no count from 1 to 9, and none of those found
again by subtracting what is shown, within a place or across places."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import disclosure, municipality_code, overview
from domain.clock import FixedClock, japan_date
from domain.publication import publish
from domain.statistics import NATION, Person, Standing, Tie, daily_figure, recount
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship
from services.figures import publish_figures
from tests.fakes import FakeUnitOfWork

TODAY = date(2027, 4, 30)
NAGANO, HAKUBA, NAGANO_CITY, MATSUMOTO = "200000", "204854", "202011", "202029"
HOKKAIDO, SAPPORO, HAKODATE = "010006", "011002", "012025"
PLACES = (NAGANO, HAKUBA, NAGANO_CITY, MATSUMOTO, HOKKAIDO, SAPPORO, HAKODATE)


def figures_of(
    standings: list[Standing], people: dict[uuid.UUID, Person]
) -> dict[str, Counter[str]]:
    by_scope: dict[str, Counter[str]] = {}
    for (scope, figure, _part), count in recount(standings, people, []).figures.items():
        by_scope.setdefault(scope, Counter())[figure] += count
    return by_scope


def registrations(place: str, count: int) -> list[Standing]:
    tie = Tie(Relationship.BIRTHPLACE, (), Tier.BASIC)
    return [Standing(uuid.uuid4(), place, tie, date(2027, 1, 10), None) for _ in range(count)]


def published(standings: list[Standing]) -> dict[str, overview.Cells]:
    people = {s.resident_id: Person(HOKKAIDO, 1990) for s in standings}
    return publish(figures_of(standings, people), TODAY)


def test_a_municipality_hidden_alone_in_its_prefecture_takes_another_with_it() -> None:
    shown = published(registrations(HAKUBA, 3) + registrations(NAGANO_CITY, 57))
    assert shown[HAKUBA]["registrations"] is None
    assert shown[NAGANO_CITY]["registrations"] is None
    assert shown[NAGANO]["registrations"] == 60
    assert shown[NATION]["registrations"] == 60


def test_a_prefectures_own_few_registrations_are_not_left_to_subtraction() -> None:
    # 4 registered with Nagano prefecture itself: Nagano's 61 less its municipalities' 57.
    shown = published(registrations(NAGANO, 4) + registrations(NAGANO_CITY, 57))
    assert shown[NAGANO]["registrations"] is None or shown[NAGANO_CITY]["registrations"] is None


def test_the_last_thirty_days_do_not_show_a_hidden_month() -> None:
    figures = {
        "registered:2027-03": 200,
        "registered:2027-04": 4,
        "registrations": 204,
        **{daily_figure(date(2027, 4, day)): 1 for day in (1, 2, 3, 4)},
    }
    shown = publish({HAKUBA: figures, NAGANO: figures, NATION: figures}, TODAY)
    assert shown[HAKUBA]["registered:2027-04"] is None
    assert shown[HAKUBA][overview.NEW_LAST_30_DAYS] is None


def test_a_lone_small_month_of_withdrawals_is_not_found_from_the_total() -> None:
    # 50 registered in January, 3 withdrew in February: 47 registered now, which is shown.
    figures = {"registered:2027-01": 50, "withdrawn:2027-02": 3, "registrations": 47}
    shown = publish({NATION: figures}, TODAY)[NATION]
    assert shown["withdrawn:2027-02"] is None
    assert shown["registered:2027-01"] is None
    assert shown["registrations"] == 47


# ---------------------------------------------------------------- one who subtracts


def _is_part(name: str, parts: tuple[str, ...]) -> bool:
    """`parts`: names, or prefixes (ending in ':') of the names of a breakdown's parts."""
    return any(name.startswith(p) if p.endswith(":") else name == p for p in parts)


def sums_a_reader_knows(cells: dict[str, overview.Cells]) -> Iterator[list[tuple[str, str]]]:
    """Each as [total, *parts]: what the scheme's definitions let anyone add up."""
    within = {
        "tiers": ("registrants", ("basic", "premium")),
        "home": ("registrants", ("home:",)),
        "age": ("registrants", ("age:",)),
        "places": ("registrants", ("places:",)),
        "relationship": ("registrations", ("relationship:",)),
        "inflow": ("registrations", ("registered:", "withdrawn:")),
    }
    for scope, place in cells.items():
        for total, prefixes in within.values():
            parts = [(scope, name) for name in place if _is_part(name, prefixes)]
            if parts:
                yield [(scope, total), *parts]
    names = {name for place in cells.values() for name in place if overview.is_additive(name)}
    prefectures = [scope for scope in cells if municipality_code.is_prefecture(scope)]
    for name in names:
        yield [(NATION, name), *((p, name) for p in prefectures)]
        for p in prefectures:
            municipalities = [
                (m, name)
                for m in cells
                if m not in (NATION, p) and municipality_code.prefecture_of(m) == p
            ]
            yield [(p, name), *municipalities, (f"own {p}", name)]


def found_by_subtraction(
    cells: dict[str, overview.Cells], exact: dict[tuple[str, str], int]
) -> set[tuple[str, str]]:
    """Suppressed counts a reader finds by solving, again and again, any known sum with one
    count left unknown. A prefecture's own part is taken as known unless it is small."""
    known = {
        (scope, name)
        for scope, place in cells.items()
        for name, count in place.items()
        if count is not None
    }
    known |= {c for c, value in exact.items() if c[0].startswith("own ")}
    known -= {c for c, value in exact.items() if disclosure.is_small(value)}
    sums = [[c for c in a_sum if exact.get(c, 0)] for a_sum in sums_a_reader_knows(cells)]
    found: set[tuple[str, str]] = set()
    solved = True
    while solved:
        solved = False
        for a_sum in sums:
            unknown = [c for c in a_sum if c not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found.add(unknown[0])
                solved = True
    return found


# Who (of 41 persons), where, how, with which interests, tier, when, withdrawn, born.
Drawn = tuple[int, str, Relationship, list[Interest], Tier, date, bool, int | None]
places = st.sampled_from([HAKUBA, NAGANO_CITY, MATSUMOTO, NAGANO, SAPPORO, HAKODATE, HOKKAIDO])
a_registration = st.tuples(
    st.integers(0, 40),
    places,
    st.sampled_from(list(Relationship)),
    st.lists(st.sampled_from(list(Interest)), max_size=2, unique=True),
    st.sampled_from([Tier.BASIC, Tier.PREMIUM]),
    st.dates(date(2027, 1, 1), TODAY),
    st.booleans(),
    st.integers(1930, 2010) | st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(a_registration, max_size=160))
def test_nothing_small_is_shown_or_found_by_subtraction(drawn: list[Drawn]) -> None:
    persons = [uuid.UUID(int=n) for n in range(41)]
    people: dict[uuid.UUID, Person] = {}
    standings, seen = [], set()
    for who, place, relationship, interests, tier, on, withdrawn, born in drawn:
        if (who, place) in seen:
            continue
        seen.add((who, place))
        people.setdefault(persons[who], Person(HOKKAIDO if who % 3 else NAGANO, born))
        tie = None if withdrawn else Tie(relationship, tuple(interests), tier)
        standings.append(Standing(persons[who], place, tie, on, TODAY if withdrawn else None))
    figures = figures_of(standings, people)
    cells = publish(figures, TODAY)
    exact = {
        (scope, name): count
        for scope, place in figures.items()
        for name, count in overview.cells_of(place, TODAY).items()
    }
    for scope in (NAGANO, HOKKAIDO):
        if scope in figures:
            municipalities = [m for m in figures if m not in (NATION, scope)]
            for name, count in overview.cells_of(figures[scope], TODAY).items():
                if overview.is_additive(name):
                    inside = [
                        overview.cells_of(figures[m], TODAY).get(name, 0)
                        for m in municipalities
                        if municipality_code.prefecture_of(m) == scope
                    ]
                    exact[(f"own {scope}", name)] = count - sum(inside)

    for (scope, name), count in exact.items():
        if scope.startswith("own "):
            continue
        shown = cells[scope][name]
        assert shown is None if disclosure.is_small(count) else shown in (None, count)
    small = {c for c, count in exact.items() if disclosure.is_small(count)}
    assert not found_by_subtraction(cells, exact) & small


async def test_a_publication_keeps_days_only_as_long_as_the_last_thirty(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    old, recent = today - timedelta(days=30), today - timedelta(days=29)
    uow.committed.figures = {
        HAKUBA: {daily_figure(old): 12, daily_figure(recent): 11, "registrations": 23},
    }
    assert await publish_figures(uow, clock) == 2  # Hakuba, and the nation
    assert uow.committed.published[HAKUBA][overview.NEW_LAST_30_DAYS] == 11
    assert uow.committed.published_at == clock.now()
    assert uow.committed.figures[HAKUBA] == {daily_figure(recent): 11, "registrations": 23}


async def test_a_worker_leaves_a_fresh_publication_alone(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    uow.committed.figures = {HAKUBA: {"registrations": 23}}
    half_an_interval = timedelta(minutes=2, seconds=30)
    assert await publish_figures(uow, clock, unless_published_within=half_an_interval) == 2
    first = uow.committed.published_at
    clock.advance(timedelta(minutes=1))
    assert await publish_figures(uow, clock, unless_published_within=half_an_interval) == 0
    assert uow.committed.published_at == first
    clock.advance(timedelta(minutes=2))
    assert await publish_figures(uow, clock, unless_published_within=half_an_interval) == 2
    assert uow.committed.published_at == clock.now()
