"""Figures and their disclosure: what counts where, and what may be shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain import disclosure, overview
from domain.clock import start_of_japan_day
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
TODAY = date(2027, 3, 31)


def test_age_bands_from_the_year_of_birth() -> None:
    today = date(2027, 1, 15)
    bands = [disclosure.age_band(year, today) for year in (2010, 2007, 1998, 1957, 1950, None)]
    assert bands == ["UNDER_20", "20S", "20S", "70_AND_OVER", "70_AND_OVER", "UNKNOWN"]


def test_a_registration_counts_in_its_place_its_prefecture_and_the_nation() -> None:
    assert scopes_of("204854") == ["204854", "200000", NATION]
    assert scopes_of("200000") == ["200000", NATION]


def test_a_person_enters_a_scope_once_and_takes_their_best_tier() -> None:
    one_place, two_places = replace(SAPPORO_PERSON, places=1), replace(SAPPORO_PERSON, places=2)
    first = membership_change(SAPPORO_PERSON, Membership(), one_place, Membership(1, 0))
    assert first == {
        "persons": 1,
        "persons_tier:BASIC": 1,
        "home:010006": 1,
        "born:1990": 1,
        "places:1": 1,
    }
    # A second place in the same prefecture: still one person there, now of two places.
    second = membership_change(one_place, Membership(1, 0), two_places, Membership(2, 0))
    assert second == {"places:1": -1, "places:2": 1}
    premium = membership_change(two_places, Membership(2, 0), two_places, Membership(2, 1))
    assert premium == {"persons_tier:BASIC": -1, "persons_tier:PREMIUM": 1}


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
    }
    assert overview.cells_of(figures, today)[overview.NEW_LAST_30_DAYS] == 9


def test_a_place_shows_every_relationship_interest_and_age_band_even_of_nobody() -> None:
    place = overview.overview_of(overview.cells_of({"persons": 3, "born:1990": 3}, TODAY), None)
    assert place.by_relationship == dict.fromkeys(Relationship, 0)
    assert place.by_interest == dict.fromkeys(Interest, 0)
    assert place.by_age_band["30S"] == 3
    assert sum(count or 0 for count in place.by_age_band.values()) == 3


def test_home_prefectures_come_in_the_order_of_their_codes_whatever_the_order_kept() -> None:
    kept = {"persons": 36, "home:470007": 12, "home:UNKNOWN": 10, "home:010006": 14}
    place = overview.as_it_is(kept, start_of_japan_day(TODAY))
    assert list(place.by_home_prefecture) == ["010006", "470007", "UNKNOWN"]
