"""Activities and profiles: what is refused, and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.activities import ActivityReport, ActivityStatus
from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.residents import ProfileChange
from domain.vocabulary import ActivityKind, Interest
from services import activities, registrations, residents
from tests.fakes import FakeUnitOfWork
from tests.unit.scenario import AMA, HAKUBA, NAGANO, join_all, person, register, staff


def report(clock: FixedClock, **change: object) -> ActivityReport:
    fields: dict[str, object] = {
        "municipality_code": HAKUBA,
        "kind": ActivityKind.EVENT_STAFF,
        "occurred_on": japan_date(clock.now()),
        "hours": 3.5,
        "description": "冬まつりの設営",
    }
    fields.update(change)
    return ActivityReport(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def registered(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await join_all(uow, clock)
    await register(uow, person(), HAKUBA, clock)


@pytest.mark.usefixtures("registered")
async def test_an_activity_is_pending_until_reviewed(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    activity = await activities.record(uow, person(), report(clock), clock)
    assert activity.status is ActivityStatus.PENDING
    reviewed = await activities.review(uow, staff(HAKUBA), activity.id, True, " 確認 ", clock)
    assert reviewed.status is ActivityStatus.VERIFIED
    assert (reviewed.reviewed_at, reviewed.reviewed_by, reviewed.review_note) == (
        clock.now(),
        staff(HAKUBA).subject,
        "確認",
    )


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"municipality_code": AMA}, "NOT_REGISTERED", "municipalityCode"),
        ({"hours": -1.0}, "INVALID_HOURS", "hours"),
        ({"hours": 0.0}, "INVALID_HOURS", "hours"),
        ({"hours": 24.5}, "INVALID_HOURS", "hours"),
        ({"description": "あ" * 2001}, "TOO_LONG", "description"),
    ],
)
async def test_a_bad_report_is_refused(
    uow: FakeUnitOfWork, clock: FixedClock, change: dict[str, object], code: str, field: str
) -> None:
    with pytest.raises(Refusal) as refusal:
        await activities.record(uow, person(), report(clock, **change), clock)
    assert [(p.code, p.field) for p in refusal.value.problems] == [(code, field)]
    assert uow.committed.activities == {}


@pytest.mark.usefixtures("registered")
async def test_a_future_date_is_refused_in_japan_time(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    tomorrow = japan_date(clock.now()) + timedelta(days=1)
    with pytest.raises(Refusal) as refusal:
        await activities.record(uow, person(), report(clock, occurred_on=tomorrow), clock)
    assert [p.code for p in refusal.value.problems] == ["FUTURE_DATE"]
    # 00:30 on the 2nd in Japan is still the 1st in UTC: the day in Japan is the one that counts.
    clock.set(clock.now().replace(hour=15, minute=30))
    assert clock.now().date() < tomorrow == japan_date(clock.now())
    recorded = await activities.record(uow, person(), report(clock, occurred_on=tomorrow), clock)
    assert recorded.occurred_on == tomorrow


@pytest.mark.usefixtures("registered")
async def test_a_withdrawn_registration_takes_no_activities(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = next(iter(uow.committed.registrations.values()))
    await registrations.withdraw_registration(uow, person(), registration.id, clock)
    with pytest.raises(Refusal) as refusal:
        await activities.record(uow, person(), report(clock), clock)
    assert [p.code for p in refusal.value.problems] == ["NOT_REGISTERED"]


@pytest.mark.usefixtures("registered")
async def test_an_activity_is_reviewed_once(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    activity = await activities.record(uow, person(), report(clock), clock)
    await activities.review(uow, staff(HAKUBA), activity.id, False, None, clock)
    with pytest.raises(Refusal) as refusal:
        await activities.review(uow, staff(HAKUBA), activity.id, True, None, clock)
    assert [p.code for p in refusal.value.problems] == ["ALREADY_REVIEWED"]
    assert uow.committed.activities[activity.id].status is ActivityStatus.REJECTED


@pytest.mark.usefixtures("registered")
async def test_staff_of_another_place_cannot_see_or_review(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    activity = await activities.record(uow, person(), report(clock), clock)
    with pytest.raises(Refusal) as refusal:
        await activities.review(uow, staff(AMA), activity.id, True, None, clock)
    assert [p.code for p in refusal.value.problems] == ["ACTIVITY_NOT_FOUND"]
    assert uow.committed.activities[activity.id].status is ActivityStatus.PENDING


@pytest.mark.usefixtures("registered")
async def test_the_municipality_verifies_not_its_prefecture(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    activity = await activities.record(uow, person(), report(clock), clock)
    with pytest.raises(Refusal) as refusal:
        await activities.review(uow, staff(NAGANO), activity.id, True, None, clock)
    assert [p.code for p in refusal.value.problems] == ["ACTIVITY_NOT_FOUND"]
    assert uow.committed.activities[activity.id].status is ActivityStatus.PENDING


async def test_the_first_call_creates_the_resident_from_the_token(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    resident = await residents.current_resident(uow, person(), clock)
    assert (resident.display_name, resident.identity_verified) == ("佐藤 花子", True)
    again = await residents.current_resident(uow, person(), clock)
    assert again.id == resident.id
    assert uow.commits == 1


async def test_a_profile_is_updated_field_by_field(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    change = ProfileChange(
        display_name="  花子 ", birth_year=1990, interests=(Interest.DIGITAL, Interest.EVENTS)
    )
    updated = await residents.change_profile(uow, person(), change, clock)
    assert (updated.display_name, updated.birth_year) == ("花子", 1990)
    assert updated.interests == (Interest.EVENTS, Interest.DIGITAL)
    kept = await residents.change_profile(uow, person(), ProfileChange(), clock)
    assert (kept.display_name, kept.birth_year) == ("花子", 1990)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (ProfileChange(display_name="   "), "INVALID_DISPLAY_NAME"),
        (ProfileChange(display_name="x" * 101), "INVALID_DISPLAY_NAME"),
        (ProfileChange(birth_year=1899), "INVALID_BIRTH_YEAR"),
        (ProfileChange(birth_year=2028), "INVALID_BIRTH_YEAR"),
        (ProfileChange(home_municipality_code="200000"), "INVALID_HOME_MUNICIPALITY"),
        (ProfileChange(home_municipality_code="999997"), "MUNICIPALITY_NOT_FOUND"),
    ],
)
async def test_a_bad_profile_change_is_refused_and_nothing_changes(
    uow: FakeUnitOfWork, clock: FixedClock, change: ProfileChange, code: str
) -> None:
    before = await residents.current_resident(uow, person(), clock)
    with pytest.raises(Refusal) as refusal:
        await residents.change_profile(uow, person(), change, clock)
    assert [p.code for p in refusal.value.problems] == [code]
    assert uow.committed.residents[before.id] == before
