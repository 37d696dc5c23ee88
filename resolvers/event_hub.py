"""Live municipal events for the subscribers of one process.

The outbox is the only source: a hub polls each stream that has subscribers, once for all of
them, and hands new events to each subscriber's bounded queue. Because stream numbers follow
commit order, polling "after the last number seen" loses nothing, and it works the same across
worker processes and machines without any notification channel that would serialise commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from persistence import tables, views
from persistence.database import Database

log = logging.getLogger("furusato.events")

POLL_SECONDS = 0.1
# A poll older than this means subscribers are not being served (readiness).
STALE_SECONDS = 2.0
BATCH = 500
# A subscriber this far behind is cut off; it resumes from its cursor and loses nothing.
QUEUE_LIMIT = 1000


class FellBehind(Exception):
    """The subscriber did not keep up; it must reconnect with its last cursor."""


@dataclass(eq=False)
class _Listener:
    queue: asyncio.Queue[tables.MunicipalEvent] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )
    overflowed: bool = False

    def offer(self, event: tables.MunicipalEvent) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # What it holds is useless now (it resumes from its cursor): free it at once.
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()


class EventHub:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._listeners: dict[str, set[_Listener]] = {}
        self._seen: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        # When the outbox was last read without failing (monotonic seconds).
        self._last_poll: float | None = None

    async def follow(
        self, stream_code: str, after: int | None
    ) -> AsyncGenerator[tables.MunicipalEvent, None]:
        """Every event of the stream after `after`: first those stored, then as they commit.
        With no `after`, only those that commit from now on."""
        listener = _Listener()
        await self._attach(stream_code, listener)
        try:
            live_from = self._seen[stream_code]
            last = live_from if after is None else after
            async with AsyncSession(self._database.read_engine) as session:
                while last < live_from:
                    stored = await views.events_after(session, stream_code, last, live_from, BATCH)
                    if not stored:
                        break
                    for event in stored:
                        yield event
                        last = event.seq
            while True:
                if listener.overflowed:
                    raise FellBehind(stream_code)
                event = await listener.queue.get()
                if event.seq > last:
                    yield event
                    last = event.seq
        finally:
            self._detach(stream_code, listener)

    async def follow_live(
        self, stream_codes: Iterable[str]
    ) -> AsyncGenerator[tables.MunicipalEvent, None]:
        """The events of several streams as they commit, merged."""
        merged: asyncio.Queue[tables.MunicipalEvent | BaseException] = asyncio.Queue(QUEUE_LIMIT)

        async def pump(stream_code: str) -> None:
            try:
                async for event in self.follow(stream_code, None):
                    await merged.put(event)
            except Exception as error:  # handed to the consumer, which raises it
                await merged.put(error)

        pumps = [asyncio.create_task(pump(code)) for code in stream_codes]
        try:
            while True:
                item = await merged.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in pumps:
                task.cancel()
            for task in pumps:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _attach(self, stream_code: str, listener: _Listener) -> None:
        if stream_code not in self._seen:
            async with AsyncSession(self._database.read_engine) as session:
                last = await views.last_event(session, stream_code)
            # Another subscriber may have started the stream meanwhile: its position stands,
            # or the events between the two would reach neither as live.
            self._seen.setdefault(stream_code, last)
        self._listeners.setdefault(stream_code, set()).add(listener)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())

    def _detach(self, stream_code: str, listener: _Listener) -> None:
        listeners = self._listeners.get(stream_code, set())
        listeners.discard(listener)
        if not listeners:
            self._listeners.pop(stream_code, None)
            self._seen.pop(stream_code, None)
        if not self._listeners:
            self._last_poll = None

    @property
    def subscribers(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    def poll_age(self) -> float:
        """Seconds since subscribers last got what the outbox holds; 0 when none listen."""
        if not self._listeners:
            return 0.0
        if self._last_poll is None:
            return 0.0 if self._task is not None and not self._task.done() else float("inf")
        return time.monotonic() - self._last_poll

    def delivering(self) -> bool:
        """Whether subscribers get their events: nobody listens, or the outbox was read
        within a few polls."""
        return self.poll_age() <= STALE_SECONDS

    async def _poll(self) -> None:
        while self._listeners:
            try:
                await self._poll_once()
                self._last_poll = time.monotonic()
            except Exception:
                # The database may be away for a moment; subscribers wait, nothing is lost.
                log.exception("polling the event outbox failed; trying again")
            await asyncio.sleep(POLL_SECONDS)

    async def _poll_once(self) -> None:
        async with AsyncSession(self._database.read_engine) as session:
            heads = await views.stream_heads(session)
            for stream_code in list(self._listeners):
                seen = self._seen.get(stream_code)
                if seen is None or heads.get(stream_code, 0) <= seen:
                    continue
                fresh = await views.events_after(session, stream_code, seen, None, BATCH)
                for event in fresh:
                    for listener in list(self._listeners.get(stream_code, ())):
                        listener.offer(event)
                if fresh and stream_code in self._seen:
                    self._seen[stream_code] = fresh[-1].seq

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
