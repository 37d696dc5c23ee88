"""Residents (ふるさと住民) and their profile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from domain import municipality_code
from domain.clock import japan_date
from domain.errors import Problem, Refusal
from domain.identifiers import new_id
from domain.roles import Actor
from domain.vocabulary import Interest, distinct_interests

DISPLAY_NAME_MAX = 100
EARLIEST_BIRTH_YEAR = 1900


@dataclass
class Resident:
    id: uuid.UUID
    subject: str
    created_at: datetime
    display_name: str | None = None
    birth_year: int | None = None
    home_municipality_code: str | None = None
    interests: tuple[Interest, ...] = field(default_factory=tuple)
    identity_verified: bool = False


def resident_from_claims(actor: Actor, now: datetime) -> Resident:
    """A resident as their first call finds them: what the identity provider told us."""
    name = actor.name.strip()[:DISPLAY_NAME_MAX] if actor.name else None
    birth_year = actor.birth_year if _plausible_birth_year(actor.birth_year, now) else None
    return Resident(
        id=new_id(),
        subject=actor.subject,
        created_at=now,
        display_name=name or None,
        birth_year=birth_year,
        identity_verified=actor.identity_verified,
    )


def claims_add_to(identity_verified: bool, actor: Actor) -> bool:
    """Whether the caller's token tells something the stored resident lacks: a verification by
    the My Number Card, once seen, is kept."""
    return actor.identity_verified and not identity_verified


def confirm_identity(resident: Resident, actor: Actor) -> bool:
    """Take in what the token adds; True when it added something."""
    if claims_add_to(resident.identity_verified, actor):
        resident.identity_verified = True
        return True
    return False


@dataclass(frozen=True)
class ProfileChange:
    """Fields left as None stay as they are."""

    display_name: str | None = None
    birth_year: int | None = None
    home_municipality_code: str | None = None
    interests: tuple[Interest, ...] | None = None


def update_profile(resident: Resident, change: ProfileChange, now: datetime) -> Resident:
    problems: list[Problem] = []
    updated = resident
    if change.display_name is not None:
        name = change.display_name.strip()
        if not name or len(name) > DISPLAY_NAME_MAX:
            problems.append(
                Problem(
                    "INVALID_DISPLAY_NAME",
                    f"a display name has 1 to {DISPLAY_NAME_MAX} characters",
                    "displayName",
                )
            )
        updated = replace(updated, display_name=name)
    if change.birth_year is not None:
        if not _plausible_birth_year(change.birth_year, now):
            problems.append(
                Problem(
                    "INVALID_BIRTH_YEAR",
                    f"a birth year lies between {EARLIEST_BIRTH_YEAR} and this year",
                    "birthYear",
                )
            )
        updated = replace(updated, birth_year=change.birth_year)
    if change.home_municipality_code is not None:
        if municipality_code.is_prefecture(change.home_municipality_code):
            problems.append(
                Problem(
                    "INVALID_HOME_MUNICIPALITY",
                    "a home is a municipality, not a prefecture",
                    "homeMunicipalityCode",
                )
            )
        updated = replace(updated, home_municipality_code=change.home_municipality_code)
    if change.interests is not None:
        updated = replace(updated, interests=distinct_interests(change.interests))
    if problems:
        raise Refusal.of(problems)
    return updated


def _plausible_birth_year(year: int | None, now: datetime) -> bool:
    return year is not None and EARLIEST_BIRTH_YEAR <= year <= japan_date(now).year
