"""Contributor activities: recorded by residents, reviewed by the place's staff."""

from __future__ import annotations

import uuid

from domain.activities import Activity, ActivityReport, record_activity, review_activity
from domain.clock import Clock
from domain.errors import Refusal
from domain.roles import Actor
from services.residents import resident_for
from services.unit_of_work import UnitOfWork


async def record(uow: UnitOfWork, actor: Actor, report: ActivityReport, clock: Clock) -> Activity:
    async with uow:
        resident = await resident_for(uow, actor, clock.now())
        held = await uow.registrations.of_resident(resident.id)
        activity = record_activity(
            resident.id,
            report,
            any(r.active and r.municipality_code == report.municipality_code for r in held),
            clock.now(),
        )
        await uow.activities.add(activity)
        await uow.commit()
        return activity


async def review(
    uow: UnitOfWork,
    actor: Actor,
    activity_id: uuid.UUID,
    approve: bool,
    note: str | None,
    clock: Clock,
) -> Activity:
    async with uow:
        activity = await uow.activities.get(activity_id, lock=True)
        # Staff of another place learn nothing, not even that the activity exists; prefecture
        # staff see their municipalities' activities, but the municipality verifies them.
        if activity is None or not actor.governs(activity.municipality_code):
            raise Refusal("ACTIVITY_NOT_FOUND", "no such activity in your scope", "activityId")
        review_activity(activity, approve, note, actor.subject, clock.now())
        await uow.activities.update(activity)
        await uow.commit()
        return activity
