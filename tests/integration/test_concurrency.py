"""Rules that must hold when requests race: the database's constraints and locks back them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain.activities import ActivityReport
from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.registrations import Registration
from domain.residents import ProfileChange
from domain.roles import Actor, Role
from domain.tiers import Tier
from domain.vocabulary import ActivityKind, Relationship
from persistence import status_entries, tables
from persistence.database import Database
from persistence.repositories import SqlActivityRepository
from persistence.unit_of_work import SqlUnitOfWork
from services import activities, places, registrations, residents
from tests.integration.conftest import snapshot
from tests.unit.scenario import AMA, CHIYODA, HAKUBA, HIGASHIKAWA, KAMIYAMA, staff

pytestmark = pytest.mark.database

HANAKO = Actor("hanako", Role.RESIDENT, identity_verified=True)
PLACES = (HAKUBA, HIGASHIKAWA, KAMIYAMA, AMA)


async def _outcome(call: Awaitable[Registration]) -> str:
    try:
        await call
    except Refusal as refusal:
        return refusal.problems[0].code
    return "OK"


async def test_racing_registrations_with_one_place_make_one(
    database: Database, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    await residents.current_resident(SqlUnitOfWork(database), HANAKO, clock)
    outcomes = await asyncio.gather(
        *(
            _outcome(
                registrations.register_with(
                    SqlUnitOfWork(database), HANAKO, HAKUBA, Relationship.TOURISM, [], clock
                )
            )
            for _ in range(6)
        )
    )
    assert sorted(outcomes) == ["ALREADY_REGISTERED"] * 5 + ["OK"]
    assert len((await snapshot(database))["registration"]) == 1


async def test_racing_premium_applications_keep_the_limit_of_three(
    database: Database, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    await residents.change_profile(
        SqlUnitOfWork(database), HANAKO, ProfileChange(home_municipality_code=CHIYODA), clock
    )
    held = []
    for code in PLACES:
        await places.join_platform(SqlUnitOfWork(database), code, today, today)
        held.append(
            await registrations.register_with(
                SqlUnitOfWork(database), HANAKO, code, Relationship.TOURISM, [], clock
            )
        )
        for days in (1, 2, 3):
            report = ActivityReport(code, ActivityKind.OTHER, today - timedelta(days=days), 1.0, "")
            activity = await activities.record(SqlUnitOfWork(database), HANAKO, report, clock)
            await activities.review(
                SqlUnitOfWork(database), staff(code), activity.id, True, None, clock
            )
    outcomes = await asyncio.gather(
        *(
            _outcome(registrations.apply_for_premium(SqlUnitOfWork(database), HANAKO, r.id, clock))
            for r in held
        )
    )
    assert sorted(outcomes) == ["OK"] * 3 + ["PREMIUM_LIMIT_REACHED"]
    rows = (await snapshot(database))["registration"]
    assert sum(1 for row in rows if Tier.PREMIUM.value in row) == 3


async def test_a_withdrawal_during_a_premium_grant_is_not_undone(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = japan_date(clock.now())
    await residents.change_profile(
        SqlUnitOfWork(database), HANAKO, ProfileChange(home_municipality_code=CHIYODA), clock
    )
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    registration = await registrations.register_with(
        SqlUnitOfWork(database), HANAKO, HAKUBA, Relationship.TOURISM, [], clock
    )
    for days in (1, 2, 3):
        report = ActivityReport(HAKUBA, ActivityKind.OTHER, today - timedelta(days=days), 1.0, "")
        activity = await activities.record(SqlUnitOfWork(database), HANAKO, report, clock)
        await activities.review(
            SqlUnitOfWork(database), staff(HAKUBA), activity.id, True, None, clock
        )

    # The grant reads its activities slowly, so that the withdrawal arrives in the middle.
    slow_read = SqlActivityRepository.verified_since

    async def verified_since_slowly(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)
        return await slow_read(*args, **kwargs)

    monkeypatch.setattr(SqlActivityRepository, "verified_since", verified_since_slowly)
    grant = asyncio.create_task(
        _outcome(
            registrations.apply_for_premium(SqlUnitOfWork(database), HANAKO, registration.id, clock)
        )
    )
    await asyncio.sleep(0.1)
    withdrawal = await _outcome(
        registrations.withdraw_registration(SqlUnitOfWork(database), HANAKO, registration.id, clock)
    )
    assert (await grant, withdrawal) == ("OK", "OK")
    async with database.read_engine.connect() as connection:
        stored = (
            await connection.execute(
                select(tables.Registration.status, tables.Registration.tier)  # type: ignore[call-overload]
            )
        ).all()
        certificates = (await connection.execute(select(tables.Certificate.status))).all()  # type: ignore[call-overload]
    assert [tuple(r) for r in stored] == [("WITHDRAWN", "BASIC")]
    assert sorted(c[0] for c in certificates) == ["REVOKED", "SUPERSEDED"]


async def test_a_status_index_taken_meanwhile_is_tried_again(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = japan_date(clock.now())
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    first = await registrations.register_with(
        SqlUnitOfWork(database), HANAKO, HAKUBA, Relationship.TOURISM, [], clock
    )
    async with database.read_engine.connect() as connection:
        taken = (
            await connection.execute(
                select(tables.Certificate.status_list_id, tables.Certificate.status_index)  # type: ignore[call-overload]
            )
        ).one()
    # As if another transaction had just taken the index this one picked.
    real_allocate = status_entries.allocate
    picks = iter([tuple(taken)])

    async def allocate_once_taken(session: Any, now: Any) -> tuple[int, int]:
        return next(picks, None) or await real_allocate(session, now)

    monkeypatch.setattr(status_entries, "allocate", allocate_once_taken)
    second = await registrations.register_with(
        SqlUnitOfWork(database),
        Actor("ichiro", Role.RESIDENT),
        HAKUBA,
        Relationship.TOURISM,
        [],
        clock,
    )
    assert second.id != first.id
    async with database.read_engine.connect() as connection:
        entries = (
            await connection.execute(
                select(tables.Certificate.status_list_id, tables.Certificate.status_index)  # type: ignore[call-overload]
            )
        ).all()
    assert len(set(entries)) == 2


async def test_a_new_persons_first_calls_racing_make_one_resident(
    database: Database, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    for code in PLACES:
        await places.join_platform(SqlUnitOfWork(database), code, today, today)
    newcomer = Actor("newcomer", Role.RESIDENT)
    outcomes = await asyncio.gather(
        *(
            _outcome(
                registrations.register_with(
                    SqlUnitOfWork(database), newcomer, code, Relationship.TOURISM, [], clock
                )
            )
            for code in PLACES
        )
    )
    assert outcomes == ["OK"] * len(PLACES)
    rows = await snapshot(database)
    assert len(rows["resident"]) == 1
    assert len(rows["registration"]) == len(PLACES)
