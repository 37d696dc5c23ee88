"""The figures kept change by change equal a full recount from the records."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.activities import ActivityReport
from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.residents import ProfileChange
from domain.roles import Actor, Role
from domain.statistics import Recount
from domain.vocabulary import ActivityKind, Interest, Relationship
from persistence import recount, synthetic, tables
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from services import activities, places, registrations, residents
from tests.integration.steps import CHIYODA, HAKUBA, HIGASHIKAWA, NAGANO, SAPPORO

pytestmark = pytest.mark.database

NAGANO_CITY = "202011"
PLACES = [HAKUBA, NAGANO_CITY, NAGANO, CHIYODA, SAPPORO, HIGASHIKAWA]


async def _kept(
    session: AsyncSession,
) -> tuple[Counter[tuple[str, str, int]], dict[tuple[str, uuid.UUID], tuple[int, int]]]:
    figures = Counter(
        {
            (row.scope, row.figure, row.shard): row.count
            for row in await session.exec(select(tables.Tally))
            if row.count
        }
    )
    members = {
        (row.scope, row.resident_id): (row.registrations, row.premium)
        for row in await session.exec(select(tables.TallyMember))
    }
    return figures, members


async def _recounted(session: AsyncSession) -> Recount:
    connection = await session.connection()
    rows = [(await connection.execute(statement)).all() for statement in recount.statements()]
    return recount.from_rows(*rows)


async def _kept_equal_recounted(database: Database) -> Counter[tuple[str, str, int]]:
    """The figures kept, once shown to equal a full recount (and so the members)."""
    async with AsyncSession(database.read_engine) as session:
        figures, members = await _kept(session)
        counted = await _recounted(session)
    assert figures == counted.figures
    assert members == {
        key: (membership.registrations, membership.premium)
        for key, membership in counted.members.items()
    }
    return figures


class Scenario:
    """Random residents doing what residents and staff do, refusals and all."""

    def __init__(self, database: Database, clock: FixedClock, seed: int) -> None:
        self.database = database
        self.clock = clock
        self.random = random.Random(seed)  # noqa: S311  (a repeatable scenario, no secret)
        self.people = [
            Actor(
                f"person-{n}", Role.RESIDENT, identity_verified=n % 3 != 0, birth_year=1940 + 7 * n
            )
            for n in range(10)
        ]
        self.registrations: list[tuple[Actor, uuid.UUID]] = []
        self.pending: list[tuple[str, uuid.UUID]] = []
        self.places: dict[uuid.UUID, str] = {}

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database)

    async def register(self) -> None:
        person = self.random.choice(self.people)
        registration = await registrations.register_with(
            self.uow(),
            person,
            self.random.choice(PLACES),
            self.random.choice(list(Relationship)),
            self.random.sample(list(Interest), self.random.randint(0, 3)),
            self.clock,
        )
        self.registrations.append((person, registration.id))
        self.places[registration.id] = registration.municipality_code

    async def withdraw(self) -> None:
        if self.registrations:
            person, registration_id = self.random.choice(self.registrations)
            await registrations.withdraw_registration(
                self.uow(), person, registration_id, self.clock
            )

    async def contribute(self) -> None:
        if not self.registrations:
            return
        person, registration_id = self.random.choice(self.registrations)
        place = self.places[registration_id]
        report = ActivityReport(
            place,
            ActivityKind.VOLUNTEERING,
            japan_date(self.clock.now()),
            2.0,
            "草刈り",
        )
        activity = await activities.record(self.uow(), person, report, self.clock)
        self.pending.append((report.municipality_code, activity.id))

    async def review(self) -> None:
        if self.pending:
            place, activity_id = self.pending.pop(self.random.randrange(len(self.pending)))
            staff = Actor(f"staff-{place}", Role.STAFF, municipality_code=place)
            approve = self.random.random() < 0.9
            await activities.review(self.uow(), staff, activity_id, approve, None, self.clock)

    async def apply(self) -> None:
        if self.registrations:
            person, registration_id = self.random.choice(self.registrations)
            await registrations.apply_for_premium(self.uow(), person, registration_id, self.clock)

    async def move(self) -> None:
        person = self.random.choice(self.people)
        change = ProfileChange(
            birth_year=self.random.choice([None, 1950, 1990, 2010]),
            home_municipality_code=self.random.choice([CHIYODA, SAPPORO, "271004"]),
        )
        await residents.change_profile(self.uow(), person, change, self.clock)

    async def time_passes(self) -> None:
        self.clock.advance(timedelta(days=self.random.randint(1, 60)))
        await registrations.lapse_due_premiums(self.uow(), self.clock)

    async def step(self) -> None:
        actions = [self.register] * 4 + [self.contribute] * 4 + [self.review] * 4
        actions += [self.apply] * 3 + [self.withdraw, self.move, self.move, self.time_passes]
        with contextlib.suppress(Refusal):
            await self.random.choice(actions)()


@pytest.mark.parametrize("seed", [1, 2])
async def test_kept_figures_equal_a_full_recount_after_random_operations(
    database: Database, clock: FixedClock, seed: int
) -> None:
    today = japan_date(clock.now())
    for place in PLACES:
        await places.join_platform(SqlUnitOfWork(database), place, today, today)
    scenario = Scenario(database, clock, seed)
    for _ in range(250):
        await scenario.step()

    figures = await _kept_equal_recounted(database)
    # The scenario reached what the figures are about.
    names = {figure.split(":")[0] for _, figure, _ in figures}
    assert {"persons_tier", "premium_granted", "withdrawn", "activity_verified"} <= names


async def test_a_synthetic_population_reads_as_if_registered_through_the_platform(
    database: Database, clock: FixedClock
) -> None:
    population = await synthetic.seed(database, 400, clock.now(), seed=7)
    rows = population.rows
    assert len(rows["registration"]) > len(rows["resident"])
    assert any(r["tier"] == "PREMIUM" for r in rows["registration"])
    assert any(r["status"] == "WITHDRAWN" for r in rows["registration"])
    # Everyone else keeps working on top of it: a new person's certificate finds its place.
    await registrations.register_with(
        SqlUnitOfWork(database),
        Actor("newcomer", Role.RESIDENT),
        HAKUBA,
        Relationship.TOURISM,
        [],
        clock,
    )
    await _kept_equal_recounted(database)
