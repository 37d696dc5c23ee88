"""Residents: created on their first call, and their profile."""

from __future__ import annotations

from datetime import datetime

from domain.clock import Clock
from domain.places import unknown_place
from domain.residents import (
    ProfileChange,
    Resident,
    claims_add_to,
    confirm_identity,
    resident_from_claims,
    update_profile,
)
from domain.roles import Actor
from services.unit_of_work import Conflict, UnitOfWork


async def resident_for(
    uow: UnitOfWork, actor: Actor, now: datetime, *, lock: bool = False
) -> Resident:
    """The caller as a resident, inside an open unit of work: made from the token's claims on
    the first call, and brought up to date with what the token adds. Nothing is committed
    here, so a use case that is refused leaves no trace of the caller either."""
    resident = await uow.residents.get_by_subject(actor.subject, lock=lock)
    if resident is None:
        created = resident_from_claims(actor, now)
        try:
            await uow.residents.add(created)
            return created
        except Conflict:
            # The same person's first two calls raced and the other one created them.
            resident = await uow.residents.get_by_subject(actor.subject, lock=lock)
            if resident is None:
                raise
    if confirm_identity(resident, actor):
        await uow.residents.update(resident)
    return resident


async def current_resident(uow: UnitOfWork, actor: Actor, clock: Clock) -> Resident:
    """The caller as a resident, created from the token's claims on the first call."""
    async with uow:
        existing = await uow.residents.get_by_subject(actor.subject)
        if existing is not None and not claims_add_to(existing.identity_verified, actor):
            return existing
        resident = await resident_for(uow, actor, clock.now())
        await uow.commit()
        return resident


async def change_profile(
    uow: UnitOfWork, actor: Actor, change: ProfileChange, clock: Clock
) -> Resident:
    async with uow:
        # Locked, so that two changes at once apply one after the other, both kept.
        resident = await resident_for(uow, actor, clock.now(), lock=True)
        code = change.home_municipality_code
        if code is not None and not await uow.places.exists(code):
            raise unknown_place("homeMunicipalityCode")
        updated = update_profile(resident, change, clock.now())
        await uow.residents.update(updated)
        await uow.commit()
        return updated
