"""Figures and their disclosure: what counts where, and what may be shown."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain import disclosure, overview
from domain.statistics import (
    NATION,
    Membership,
    Person,
    Tie,
    daily_figure,
    membership_change,
    scopes_of,
)
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship

SAPPORO_PERSON = Person("010006", 1990)


def test_counts_from_one_to_nine_are_suppressed() -> None:
    assert [disclosure.shown(n) for n in (0, 1, 9, 10)] == [0, None, None, 10]


def test_a_lone_suppressed_part_takes_the_smallest_other_with_it() -> None:
    counts = {"a": 3, "b": 50, "c": 20, "d": 0}
    assert disclosure.breakdown(counts, adds_up=True) == {"a": None, "b": 50, "c": None, "d": 0}
    assert disclosure.breakdown(counts, adds_up=False) == {"a": None, "b": 50, "c": 20, "d": 0}


@given(st.dictionaries(st.text(max_size=3), st.integers(0, 40), max_size=8))
def test_no_suppressed_part_can_be_found_by_subtraction(counts: dict[str, int]) -> None:
    shown = disclosure.breakdown(counts, adds_up=True)
    hidden = [key for key, count in shown.items() if count is None]
    total = sum(counts.values())
    # One hidden part alone would be the total less the others: only when the total is
    # itself hidden (1 to 9) may that happen.
    assert len(hidden) != 1 or disclosure.shown(total) is None
    assert all(shown[key] == counts[key] for key in counts if key not in hidden)


def test_age_bands_from_the_year_of_birth() -> None:
    today = date(2027, 1, 15)
    bands = [disclosure.age_band(year, today) for year in (2010, 2007, 1998, 1957, 1950, None)]
    assert bands == ["UNDER_20", "20S", "20S", "70_AND_OVER", "70_AND_OVER", "UNKNOWN"]


def test_a_registration_counts_in_its_place_its_prefecture_and_the_nation() -> None:
    assert scopes_of("204854") == ["204854", "200000", NATION]
    assert scopes_of("200000") == ["200000", NATION]


def test_a_person_enters_a_scope_once_and_takes_their_best_tier() -> None:
    first = membership_change("200000", SAPPORO_PERSON, Membership(), Membership(1, 0))
    assert first == {
        "persons": 1,
        "persons_tier:BASIC": 1,
        "home:010006": 1,
        "born:1990": 1,
    }
    second = membership_change("200000", SAPPORO_PERSON, Membership(1, 0), Membership(2, 0))
    assert second == {}
    premium = membership_change("200000", SAPPORO_PERSON, Membership(2, 0), Membership(2, 1))
    assert premium == {"persons_tier:BASIC": -1, "persons_tier:PREMIUM": 1}
    nation = membership_change(NATION, SAPPORO_PERSON, Membership(1, 0), Membership(2, 0))
    assert nation == {"places:1": -1, "places:2": 1}


def test_a_tie_counts_its_relationship_and_each_interest() -> None:
    tie = Tie(Relationship.TOURISM, (Interest.EVENTS, Interest.DIGITAL), Tier.BASIC)
    assert tie.figures() == {
        "registrations": 1,
        "tier:BASIC": 1,
        "relationship:TOURISM": 1,
        "interest:EVENTS": 1,
        "interest:DIGITAL": 1,
    }


def test_new_registrations_are_those_of_the_last_thirty_days() -> None:
    today = date(2027, 3, 31)
    figures = {
        daily_figure(date(2027, 3, 31)): 4,
        daily_figure(date(2027, 3, 2)): 5,
        daily_figure(date(2027, 3, 1)): 100,
        "persons": 109,
        "persons_tier:BASIC": 109,
    }
    place = overview.place_overview(figures, today, exact=True)
    assert place.new_last_30_days == 9
    assert overview.place_overview(figures, today, exact=False).new_last_30_days is None


def test_a_lone_small_month_of_withdrawals_is_not_found_from_the_total() -> None:
    # 50 registered in January, 3 withdrew in February: 47 registered now, which is shown.
    figures = {"registered:2027-01": 50, "withdrawn:2027-02": 3, "registrations": 47}
    months = overview.monthly(figures, exact=False)
    assert [(m.month, m.registrations, m.withdrawals) for m in months] == [
        ("2027-01", None, 0),
        ("2027-02", 0, None),
    ]


def test_the_last_thirty_days_do_not_show_a_hidden_month() -> None:
    today = date(2027, 4, 30)
    figures = {
        "registered:2027-03": 200,
        "registered:2027-04": 4,
        **{daily_figure(date(2027, 4, day)): 1 for day in (1, 2, 3, 4)},
        "persons": 204,
        "persons_tier:BASIC": 204,
    }
    place = overview.place_overview(figures, today, exact=False)
    assert place.new_last_30_days is None
    assert overview.place_overview(figures, today, exact=True).new_last_30_days == 4
