"""Registering, withdrawing, premium and its lapse."""

from __future__ import annotations

import uuid

from domain.clock import Clock, japan_date
from domain.errors import Refusal
from domain.premium import PremiumStanding
from domain.registrations import (
    Registration,
    grant_premium,
    lapse_premium,
    register,
    withdraw,
)
from domain.roles import Actor
from domain.vocabulary import Interest, Relationship
from services.residents import current_resident
from services.unit_of_work import Conflict, UnitOfWork

LAPSE_BATCH = 500


def _not_found() -> Refusal:
    # Another person's registration answers exactly like a missing one.
    return Refusal("REGISTRATION_NOT_FOUND", "no such registration of yours", "registrationId")


async def register_with(
    uow: UnitOfWork,
    actor: Actor,
    municipality_code: str,
    relationship: Relationship,
    interests: list[Interest],
    clock: Clock,
) -> Registration:
    resident = await current_resident(uow, actor, clock)
    async with uow:
        if not await uow.places.exists(municipality_code):
            raise Refusal(
                "MUNICIPALITY_NOT_FOUND", "no local government has this code", "municipalityCode"
            )
        held = await uow.registrations.of_resident(resident.id)
        registration = register(
            resident.id,
            municipality_code,
            await uow.places.participation(municipality_code),
            any(r.active and r.municipality_code == municipality_code for r in held),
            relationship,
            interests,
            clock.now(),
        )
        try:
            await uow.registrations.add(registration)
            await uow.commit()
        except Conflict:
            # Two registrations with the same place raced; the unique index let one through.
            raise Refusal(
                "ALREADY_REGISTERED",
                "you are registered with this place already",
                "municipalityCode",
            ) from None
        return registration


async def withdraw_registration(
    uow: UnitOfWork, actor: Actor, registration_id: uuid.UUID, clock: Clock
) -> Registration:
    resident = await current_resident(uow, actor, clock)
    async with uow:
        registration = await uow.registrations.get(registration_id)
        if registration is None or registration.resident_id != resident.id:
            raise _not_found()
        withdraw(registration, clock.now())
        await uow.registrations.update(registration)
        await uow.commit()
        return registration


async def apply_for_premium(
    uow: UnitOfWork, actor: Actor, registration_id: uuid.UUID, clock: Clock
) -> Registration:
    resident = await current_resident(uow, actor, clock)
    async with uow:
        # The resident's row is the lock that keeps two applications from passing the limit of
        # three premium registrations together.
        locked = await uow.residents.get(resident.id, lock=True)
        if locked is None:
            raise _not_found()
        held = await uow.registrations.of_resident(locked.id)
        registration = next((r for r in held if r.id == registration_id), None)
        if registration is None:
            raise _not_found()
        now = clock.now()
        policy = await uow.places.premium_policy(registration.municipality_code)
        today = japan_date(now)
        verified = await uow.activities.verified_since(
            locked.id, registration.municipality_code, policy.window_start(today)
        )
        standing = PremiumStanding(
            registration_active=registration.active,
            identity_verified=locked.identity_verified,
            place_code=registration.municipality_code,
            home_municipality_code=locked.home_municipality_code,
            verified_activities=policy.verified_activities(verified, today),
            policy=policy,
            other_premiums_in_force=sum(
                1 for r in held if r.id != registration.id and r.premium_in_force(now)
            ),
        )
        grant_premium(registration, standing, now)
        await uow.registrations.update(registration)
        await uow.commit()
        return registration


async def lapse_due_premiums(uow: UnitOfWork, clock: Clock) -> int:
    """Turn premium that ran out into basic, a batch per transaction; how many lapsed."""
    lapsed = 0
    while True:
        async with uow:
            now = clock.now()
            due = await uow.registrations.premium_ended_by(now, LAPSE_BATCH)
            for registration in due:
                if lapse_premium(registration, now):
                    await uow.registrations.update(registration)
                    lapsed += 1
            await uow.commit()
        if len(due) < LAPSE_BATCH:
            return lapsed
