"""Related population (関係人口) in figures: what each registration and each person adds to
the figures of a place, of its prefecture and of the nation.

Figures are named counts. Those about ties (registrations by tier, relationship, interest)
count registrations (延べ人数); those about people (persons, their tier, home prefecture, birth
year, how many places they are registered with anywhere) count each person once per scope
(実人数): a person registered with two municipalities of one prefecture is one person of that
prefecture, and of the tier of their best registration there.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from domain import municipality_code
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship

NATION = "JP"
UNKNOWN = "UNKNOWN"
# Figures are kept in this many parts per scope, chosen by person, so that registrations in
# one place (or anywhere, for the nation) do not all wait for one row.
SHARDS = 16

REGISTRATIONS = "registrations"
PERSONS = "persons"
# Figures of a breakdown are named "<breakdown><key>".
RELATIONSHIP = "relationship:"
INTEREST = "interest:"
HOME = "home:"
BORN = "born:"
PLACES = "places:"


def scopes_of(place_code: str) -> list[str]:
    """The scopes a registration with this place counts in, narrowest first."""
    prefecture = municipality_code.prefecture_of(place_code)
    places = [place_code] if prefecture == place_code else [place_code, prefecture]
    return [*places, NATION]


def shard_of(resident_id: uuid.UUID) -> int:
    return resident_id.int % SHARDS


def tier_figure(tier: Tier) -> str:
    return f"tier:{tier.value}"


def person_tier_figure(tier: Tier) -> str:
    return f"persons_tier:{tier.value}"


def relationship_figure(relationship: Relationship) -> str:
    return f"{RELATIONSHIP}{relationship.value}"


def interest_figure(interest: Interest) -> str:
    return f"{INTEREST}{interest.value}"


def home_figure(home_prefecture: str | None) -> str:
    return f"{HOME}{home_prefecture or UNKNOWN}"


def born_figure(birth_year: int | None) -> str:
    return f"{BORN}{birth_year if birth_year is not None else UNKNOWN}"


def places_figure(count: int) -> str:
    return f"{PLACES}{count}"


class Flow:
    """What happened in a month (or, for new registrations, on a day), in Japan's calendar."""

    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"
    PREMIUM_GRANTED = "premium_granted"
    ACTIVITY_VERIFIED = "activity_verified"
    REGISTERED_ON = "registered_on"

    ALL_MONTHLY = (REGISTERED, WITHDRAWN, PREMIUM_GRANTED, ACTIVITY_VERIFIED)


def monthly_figure(flow: str, day: date) -> str:
    return f"{flow}:{day:%Y-%m}"


def daily_figure(day: date) -> str:
    return f"{Flow.REGISTERED_ON}:{day.isoformat()}"


@dataclass(frozen=True)
class Tie:
    """A registration as the figures see it, while it is active."""

    relationship: Relationship
    interests: tuple[Interest, ...]
    tier: Tier

    def figures(self) -> Counter[str]:
        counts = Counter(
            [REGISTRATIONS, tier_figure(self.tier), relationship_figure(self.relationship)]
        )
        counts.update(interest_figure(interest) for interest in self.interests)
        return counts


@dataclass(frozen=True)
class Person:
    """What the figures know of a person: nothing that names them. `places`: how many places
    they are registered with now, anywhere; 0 where that is not what changes."""

    home_prefecture: str | None
    birth_year: int | None
    places: int = 0

    def figures(self, tier: Tier) -> Counter[str]:
        counts = Counter(
            [
                PERSONS,
                person_tier_figure(tier),
                home_figure(self.home_prefecture),
                born_figure(self.birth_year),
            ]
        )
        if self.places:
            counts[places_figure(self.places)] += 1
        return counts


@dataclass(frozen=True)
class Membership:
    """A person's active registrations within one scope, and how many of them are premium."""

    registrations: int = 0
    premium: int = 0

    @property
    def tier(self) -> Tier | None:
        if self.registrations == 0:
            return None
        return Tier.PREMIUM if self.premium else Tier.BASIC

    def after(self, registrations: int, premium: int) -> Membership:
        return Membership(self.registrations + registrations, self.premium + premium)


def difference(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """What changes from one set of figures to another, negatives included."""
    names = set(before) | set(after)
    changes = {name: after.get(name, 0) - before.get(name, 0) for name in names}
    return {name: change for name, change in changes.items() if change}


def tie_change(before: Tie | None, after: Tie | None) -> dict[str, int]:
    return difference(
        before.figures() if before else Counter(), after.figures() if after else Counter()
    )


def membership_change(
    person_before: Person, before: Membership, person_after: Person, after: Membership
) -> dict[str, int]:
    """How a person's figures in a scope change when their registrations there do (and with
    them, maybe, how many places they are registered with)."""

    def figures(person: Person, membership: Membership) -> Counter[str]:
        tier = membership.tier
        return person.figures(tier) if tier is not None else Counter()

    return difference(figures(person_before, before), figures(person_after, after))


def person_change(before: Person, after: Person, tier: Tier) -> dict[str, int]:
    """A member's figures when their home or birth year is corrected."""
    return difference(before.figures(tier), after.figures(tier))


@dataclass(frozen=True)
class Standing:
    """A registration, for counting everything afresh."""

    resident_id: uuid.UUID
    place_code: str
    tie: Tie | None
    registered_on: date
    withdrawn_on: date | None


@dataclass(frozen=True)
class Happening:
    """A premium grant or a verified activity, for counting everything afresh."""

    resident_id: uuid.UUID
    place_code: str
    flow: str
    on: date


Figures = Counter[tuple[str, str, int]]


@dataclass(frozen=True)
class Recount:
    figures: Figures
    # Of prefectures and the nation: a municipality's members are its active registrations.
    members: dict[tuple[str, uuid.UUID], Membership]


def recount(
    standings: Iterable[Standing],
    people: Mapping[uuid.UUID, Person],
    happenings: Iterable[Happening],
) -> Recount:
    """Every figure from the records themselves: what the kept figures must equal."""
    figures: Figures = Counter()
    memberships: dict[tuple[str, uuid.UUID], Membership] = {}

    def count(scope: str, resident_id: uuid.UUID, changes: Mapping[str, int]) -> None:
        for figure, change in changes.items():
            figures[(scope, figure, shard_of(resident_id))] += change

    for standing in standings:
        flows = {
            monthly_figure(Flow.REGISTERED, standing.registered_on): 1,
            daily_figure(standing.registered_on): 1,
        }
        if standing.withdrawn_on:
            flows[monthly_figure(Flow.WITHDRAWN, standing.withdrawn_on)] = 1
        tie = standing.tie
        for scope in scopes_of(standing.place_code):
            count(scope, standing.resident_id, flows)
            if tie is None:
                continue
            count(scope, standing.resident_id, tie.figures())
            key = (scope, standing.resident_id)
            memberships[key] = memberships.get(key, Membership()).after(
                1, int(tie.tier is Tier.PREMIUM)
            )
    for (scope, resident_id), membership in memberships.items():
        places = memberships[(NATION, resident_id)].registrations
        person = replace(people[resident_id], places=places)
        count(scope, resident_id, membership_change(person, Membership(), person, membership))
    for happening in happenings:
        for scope in scopes_of(happening.place_code):
            count(scope, happening.resident_id, {monthly_figure(happening.flow, happening.on): 1})
    return Recount(
        Counter({key: value for key, value in figures.items() if value}),
        {
            (scope, resident_id): membership
            for (scope, resident_id), membership in memberships.items()
            if scope == NATION or municipality_code.is_prefecture(scope)
        },
    )
