"""Steps the rule tests share: places that take part, people, verified activities."""

from __future__ import annotations

from datetime import date, timedelta

from domain.activities import ActivityReport
from domain.clock import FixedClock, japan_date
from domain.registrations import Registration
from domain.residents import ProfileChange
from domain.roles import Actor, Role
from domain.vocabulary import ActivityKind, Relationship
from services import activities, places, registrations, residents
from tests.fakes import FakeUnitOfWork

HAKUBA = "204854"
NAGANO_CITY = "202011"
NAGANO = "200000"
HIGASHIKAWA = "014583"
KAMIYAMA = "363421"
AMA = "325252"
CHIYODA = "131016"
NOT_PARTICIPATING = "011002"

PLACES = (HAKUBA, NAGANO_CITY, NAGANO, HIGASHIKAWA, KAMIYAMA, AMA, CHIYODA)


def person(subject: str = "hanako", *, verified: bool = True) -> Actor:
    return Actor(subject, Role.RESIDENT, identity_verified=verified, name="佐藤 花子")


def staff(code: str) -> Actor:
    return Actor(f"staff-{code}", Role.STAFF, municipality_code=code)


async def join_all(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    today = japan_date(clock.now())
    for code in PLACES:
        await places.join_platform(uow, code, today - timedelta(days=30), today - timedelta(days=1))


async def live_in(uow: FakeUnitOfWork, actor: Actor, home: str, clock: FixedClock) -> None:
    await residents.change_profile(uow, actor, ProfileChange(home_municipality_code=home), clock)


async def register(uow: FakeUnitOfWork, actor: Actor, code: str, clock: FixedClock) -> Registration:
    return await registrations.register_with(uow, actor, code, Relationship.BIRTHPLACE, [], clock)


async def verified_activities(
    uow: FakeUnitOfWork,
    actor: Actor,
    code: str,
    clock: FixedClock,
    days_ago: list[int],
    kind: ActivityKind = ActivityKind.VOLUNTEERING,
) -> None:
    today = japan_date(clock.now())
    for ago in days_ago:
        report = ActivityReport(code, kind, today - timedelta(days=ago), 2.0, "草刈り")
        activity = await activities.record(uow, actor, report, clock)
        await activities.review(uow, staff(code), activity.id, True, None, clock)


async def premium_ready(
    uow: FakeUnitOfWork, actor: Actor, code: str, clock: FixedClock
) -> Registration:
    """A registration that meets every premium condition."""
    registration = await register(uow, actor, code, clock)
    await verified_activities(uow, actor, code, clock, [1, 2, 3])
    return registration


def day(text: str) -> date:
    return date.fromisoformat(text)
