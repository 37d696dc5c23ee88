"""What each change tells the municipality's event stream."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.events import EventType
from domain.tiers import Tier
from services import registrations
from tests.fakes import FakeUnitOfWork
from tests.unit.scenario import CHIYODA, HAKUBA, join_all, live_in, person, premium_ready


async def test_a_registrations_life_as_events(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await join_all(uow, clock)
    await live_in(uow, person(), CHIYODA, clock)
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    await registrations.apply_for_premium(uow, person(), registration.id, clock)
    clock.advance(timedelta(days=400))
    await registrations.lapse_due_premiums(uow, clock)
    await registrations.withdraw_registration(uow, person(), registration.id, clock)
    events = [(e.type, e.tier) for e in uow.committed.events if e.subject_id == registration.id]
    assert events == [
        (EventType.REGISTERED, Tier.BASIC),
        (EventType.CERTIFICATE_ISSUED, Tier.BASIC),
        (EventType.PREMIUM_GRANTED, Tier.PREMIUM),
        (EventType.CERTIFICATE_ISSUED, Tier.PREMIUM),
        (EventType.PREMIUM_LAPSED, Tier.BASIC),
        (EventType.CERTIFICATE_ISSUED, Tier.BASIC),
        (EventType.WITHDRAWN, Tier.BASIC),
        (EventType.CERTIFICATE_REVOKED, Tier.BASIC),
    ]
    activity_events = [e.type for e in uow.committed.events if e.subject_id != registration.id]
    assert activity_events == [EventType.ACTIVITY_RECORDED, EventType.ACTIVITY_REVIEWED] * 3
    assert {e.municipality_code for e in uow.committed.events} == {HAKUBA}
    assert japan_date(uow.committed.events[-1].occurred_at) == japan_date(clock.now())


async def test_a_refused_change_tells_nothing(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await join_all(uow, clock)
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    before = list(uow.committed.events)
    with pytest.raises(Refusal):  # no home municipality yet
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert uow.committed.events == before
