"""Registering, withdrawing, premium and its lapse."""

from __future__ import annotations

import uuid

from domain.clock import Clock, japan_date
from domain.errors import Refusal
from domain.places import unknown_place
from domain.premium import standing_for
from domain.registrations import (
    Registration,
    grant_premium,
    lapse_premium,
    register,
    withdraw,
)
from domain.roles import Actor
from domain.vocabulary import Interest, Relationship
from services.residents import resident_for
from services.unit_of_work import Conflict, UnitOfWork

# One registration per transaction: every use case then takes a person's figure rows before
# any event stream, so that no two transactions wait for each other's in the opposite order
# (a batch would hold one person's streams while taking the next person's figures).
LAPSE_BATCH = 1


def _not_found() -> Refusal:
    # Another person's registration answers exactly like a missing one.
    return Refusal("REGISTRATION_NOT_FOUND", "no such registration of yours", "registrationId")


def _already_registered() -> Refusal:
    return Refusal(
        "ALREADY_REGISTERED", "you are registered with this place already", "municipalityCode"
    )


async def register_with(
    uow: UnitOfWork,
    actor: Actor,
    municipality_code: str,
    relationship: Relationship,
    interests: list[Interest],
    clock: Clock,
) -> Registration:
    async with uow:
        now = clock.now()
        # Locked first, as every use case that changes a person's registrations does: the
        # figures count their home and birth year, which a concurrent correction would move.
        resident = await resident_for(uow, actor, now, lock=True)
        if not await uow.places.exists(municipality_code):
            raise unknown_place()
        held = await uow.registrations.of_resident(resident.id)
        registration = register(
            resident.id,
            municipality_code,
            await uow.places.participation(municipality_code),
            any(r.active and r.municipality_code == municipality_code for r in held),
            relationship,
            interests,
            now,
        )
        try:
            await uow.registrations.add(registration)
            await uow.commit()
        except Conflict:
            # Two registrations with the same place raced; the unique index let one through.
            raise _already_registered() from None
        return registration


async def withdraw_registration(
    uow: UnitOfWork, actor: Actor, registration_id: uuid.UUID, clock: Clock
) -> Registration:
    async with uow:
        # The resident first, then the registration: the order every writer locks in.
        resident = await resident_for(uow, actor, clock.now(), lock=True)
        registration = await uow.registrations.get(registration_id, lock=True)
        if registration is None or registration.resident_id != resident.id:
            raise _not_found()
        withdraw(registration, clock.now())
        await uow.registrations.update(registration)
        await uow.commit()
        return registration


async def apply_for_premium(
    uow: UnitOfWork, actor: Actor, registration_id: uuid.UUID, clock: Clock
) -> Registration:
    async with uow:
        now = clock.now()
        # The resident's row is the lock that keeps two applications from passing the limit of
        # three premium registrations together; their registrations are locked against a
        # concurrent withdrawal or lapse.
        resident = await resident_for(uow, actor, now, lock=True)
        held = await uow.registrations.of_resident(resident.id, lock=True)
        registration = next((r for r in held if r.id == registration_id), None)
        if registration is None:
            raise _not_found()
        policy = await uow.places.premium_policy(registration.municipality_code)
        today = japan_date(now)
        standing = standing_for(
            registration_id=registration.id,
            registration_active=registration.active,
            place_code=registration.municipality_code,
            identity_verified=resident.identity_verified,
            home_municipality_code=resident.home_municipality_code,
            verified=await uow.activities.verified_since(
                resident.id, registration.municipality_code, policy.window_start(today)
            ),
            policy=policy,
            premiums_in_force=[(r.id, r.premium_in_force(now)) for r in held],
            today=today,
        )
        grant_premium(registration, standing, now)
        await uow.registrations.update(registration)
        await uow.commit()
        return registration


async def lapse_due_premiums(uow: UnitOfWork, clock: Clock) -> int:
    """Turn premium that ran out into basic, one per transaction; how many lapsed."""
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
