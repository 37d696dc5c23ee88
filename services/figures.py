"""Publishing the figures everyone but a place's own staff sees."""

from __future__ import annotations

from domain.clock import Clock, japan_date
from domain.overview import new_since
from domain.publication import publish
from services.unit_of_work import UnitOfWork


async def publish_figures(uow: UnitOfWork, clock: Clock) -> int:
    """Every place's figures, suppressed together from one reading of the kept figures, so
    that what is published adds up as of one moment. Returns how many scopes have figures."""
    now = clock.now()
    today = japan_date(now)
    async with uow:
        first_day = new_since(today)
        cells = publish(await uow.figures.kept(first_day), today)
        await uow.figures.publish(cells, now)
        # Counts by day serve the last 30 days only; months keep the rest.
        await uow.figures.forget_days_before(first_day)
        await uow.commit()
    return len(cells)
