"""The hub's promises: a subscriber that falls behind is told so (and resumes with nothing
lost), and a restarted server serves the same stream from the same cursor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from domain.clock import FixedClock, japan_date
from domain.roles import Actor, Role
from domain.vocabulary import Relationship
from persistence import tables
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from resolvers import event_hub
from resolvers.event_hub import EventHub, FellBehind
from services import places, registrations
from tests.integration.steps import HAKUBA

pytestmark = pytest.mark.database


async def _register(database: Database, clock: FixedClock, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        await registrations.register_with(
            SqlUnitOfWork(database),
            Actor(f"person-{n}", Role.RESIDENT),
            HAKUBA,
            Relationship.TOURISM,
            [],
            clock,
        )


async def _next(events: AsyncIterator[tables.MunicipalEvent]) -> tables.MunicipalEvent:
    return await asyncio.wait_for(anext(events), 5)


async def _drain(events: AsyncIterator[tables.MunicipalEvent], into: list[int]) -> None:
    while True:
        into.append((await _next(events)).seq)


async def _small_hub(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> EventHub:
    """A hub whose subscribers may fall three events behind, on a participating village."""
    monkeypatch.setattr(event_hub, "QUEUE_LIMIT", 3)
    today = japan_date(clock.now())
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    return EventHub(database)


async def test_a_subscriber_that_falls_behind_is_told_and_loses_nothing(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = await _small_hub(database, clock, monkeypatch)
    events = hub.follow(HAKUBA, 0)
    try:
        await _register(database, clock, 1)
        first = await _next(events)
        # The subscriber stops reading while ten more events commit and are polled.
        await _register(database, clock, 5, start=1)
        await asyncio.sleep(event_hub.POLL_SECONDS * 5)
        received = [first.seq]
        with pytest.raises(FellBehind):
            await _drain(events, received)
        assert received == list(range(1, len(received) + 1))
        # Resuming after the last one received gives the rest, in order.
        resumed = hub.follow(HAKUBA, received[-1])
        rest = [(await _next(resumed)).seq for _ in range(12 - len(received))]
        assert received + rest == list(range(1, 13))
        await resumed.aclose()
    finally:
        await events.aclose()
        await hub.close()


async def test_a_new_server_serves_the_stream_from_the_same_cursor(
    database: Database, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    await _register(database, clock, 1)
    before = EventHub(database)
    events = before.follow(HAKUBA, 0)
    seen = [(await _next(events)).seq for _ in range(2)]
    await events.aclose()
    await before.close()
    # The server is gone; meanwhile more is committed; a new process starts.
    await _register(database, clock, 1, start=1)
    after = EventHub(database)
    resumed = after.follow(HAKUBA, seen[-1])
    assert [(await _next(resumed)).seq for _ in range(2)] == [3, 4]
    await resumed.aclose()
    await after.close()


async def test_a_subscriber_that_stops_reading_holds_little_and_delays_no_one(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = await _small_hub(database, clock, monkeypatch)
    stuck = hub.follow(HAKUBA, None)
    reader = hub.follow(HAKUBA, None)
    read: list[int] = []
    # Each starts following when first asked; the stuck one is never asked again.
    pending_stuck = asyncio.ensure_future(_next(stuck))
    draining = asyncio.ensure_future(_drain(reader, read))
    try:
        await asyncio.sleep(event_hub.POLL_SECONDS * 2)
        # A poll at a time, so that the reader keeps up while the stuck one does not.
        for n in range(10):
            await _register(database, clock, 1, start=n)
            await asyncio.sleep(event_hub.POLL_SECONDS * 1.5)
        await asyncio.sleep(event_hub.POLL_SECONDS * 2)
        assert read == list(range(1, 21))
        first = await pending_stuck
        assert first.seq == 1
        held = [listener.queue.qsize() for listener in hub._listeners[HAKUBA]]
        # The stuck one overflowed and dropped what it held; the reader holds nothing.
        assert sorted(held) == [0, 0]
        with pytest.raises(FellBehind):
            await _next(stuck)
    finally:
        for task in (draining, pending_stuck):
            task.cancel()
        await asyncio.gather(draining, pending_stuck, return_exceptions=True)
        await stuck.aclose()
        await reader.aclose()
        await hub.close()
