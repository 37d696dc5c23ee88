"""The outbox: events in the transaction of their change, numbered per stream in commit order."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from domain.clock import FixedClock, japan_date
from domain.roles import Actor, Role
from domain.vocabulary import Relationship
from persistence import tables
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from services import places, registrations
from tests.integration.conftest import Api
from tests.integration.steps import HAKUBA, NAGANO, join, register

pytestmark = pytest.mark.database


async def stream(database: Database, code: str) -> list[tuple[int, str, str]]:
    e = tables.MunicipalEvent
    async with database.read_engine.connect() as connection:
        rows = await connection.execute(
            select(e.seq, e.type, e.municipality_code)  # type: ignore[call-overload]
            .where(e.stream_code == code)
            .order_by(e.seq)
        )
        return [tuple(row) for row in rows]


async def test_a_municipality_and_its_prefecture_both_hear(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    await join(api, NAGANO, clock)
    await register(api, api.resident(), HAKUBA)
    await register(api, api.resident(), NAGANO)
    assert await stream(database, HAKUBA) == [
        (1, "REGISTERED", HAKUBA),
        (2, "CERTIFICATE_ISSUED", HAKUBA),
    ]
    assert await stream(database, NAGANO) == [
        (1, "REGISTERED", HAKUBA),
        (2, "CERTIFICATE_ISSUED", HAKUBA),
        (3, "REGISTERED", NAGANO),
        (4, "CERTIFICATE_ISSUED", NAGANO),
    ]


async def test_a_refused_registration_writes_no_event(api: Api, database: Database) -> None:
    body = await api.op(
        "Register",
        {"input": {"municipalityCode": HAKUBA, "relationship": "TOURISM"}},
        api.resident(),
    )
    assert body["data"]["register"]["errors"][0]["code"] == "MUNICIPALITY_NOT_PARTICIPATING"
    assert await stream(database, HAKUBA) == []


async def test_concurrent_writers_leave_no_gap_and_no_duplicate(
    database: Database, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    await asyncio.gather(
        *(
            registrations.register_with(
                SqlUnitOfWork(database),
                Actor(f"person-{n}", Role.RESIDENT),
                HAKUBA,
                Relationship.TOURISM,
                [],
                clock,
            )
            for n in range(8)
        )
    )
    seqs = [seq for seq, _, _ in await stream(database, HAKUBA)]
    assert seqs == list(range(1, 17))
