"""Publishing the figures everyone but a place's own staff sees."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock, japan_date
from domain.overview import new_since
from domain.publication import publish
from services.unit_of_work import UnitOfWork


async def publish_figures(
    uow: UnitOfWork, clock: Clock, *, unless_published_within: timedelta | None = None
) -> int:
    """Every place's figures, suppressed together from one reading of the kept figures, so
    that what is published adds up as of one moment. Returns how many scopes were published:
    none when `unless_published_within` says a publication that recent (another worker's)
    will do."""
    now = clock.now()
    today = japan_date(now)
    async with uow:
        if unless_published_within is not None:
            last = await uow.figures.last_published()
            if last is not None and now - last < unless_published_within:
                return 0
        first_day = new_since(today)
        cells = publish(await uow.figures.kept(first_day), today)
        await uow.figures.publish(cells, now)
        # Counts by day serve the last 30 days only; months keep the rest.
        await uow.figures.forget_days_before(first_day)
        await uow.commit()
    return len(cells)
