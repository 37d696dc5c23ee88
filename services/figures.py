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
        cells = publish(await uow.figures.kept(new_since(today)), today)
        await uow.figures.publish(cells, now)
        await uow.commit()
    return len(cells)
