"""Support measures, created by a place's staff."""

from __future__ import annotations

from domain.clock import Clock, japan_date
from domain.errors import Refusal
from domain.places import is_participating, unknown_place
from domain.roles import Actor
from domain.support import MeasureDraft, SupportMeasure, support_measure
from services.unit_of_work import UnitOfWork


async def create_support_measure(
    uow: UnitOfWork, actor: Actor, draft: MeasureDraft, clock: Clock
) -> SupportMeasure:
    async with uow:
        now = clock.now()
        if not await uow.places.exists(draft.municipality_code):
            raise unknown_place()
        if not is_participating(
            await uow.places.participation(draft.municipality_code), japan_date(now)
        ):
            raise Refusal(
                "MUNICIPALITY_NOT_PARTICIPATING",
                "support measures exist only with places that take part",
                "municipalityCode",
            )
        measure = support_measure(draft, actor.subject, now)
        await uow.support_measures.add(measure)
        await uow.commit()
        return measure
