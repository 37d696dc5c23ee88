"""Residents: created on their first call, and their profile."""

from __future__ import annotations

from domain.clock import Clock
from domain.errors import Refusal
from domain.residents import (
    ProfileChange,
    Resident,
    confirm_identity,
    resident_from_claims,
    update_profile,
)
from domain.roles import Actor
from services.unit_of_work import Conflict, UnitOfWork


async def current_resident(uow: UnitOfWork, actor: Actor, clock: Clock) -> Resident:
    """The caller as a resident, created from the token's claims on the first call."""
    async with uow:
        resident = await uow.residents.get_by_subject(actor.subject)
        if resident is None:
            resident = resident_from_claims(actor, clock.now())
            await uow.residents.add(resident)
        elif confirm_identity(resident, actor):
            await uow.residents.update(resident)
        else:
            return resident
        try:
            await uow.commit()
        except Conflict:
            # The same person's first two calls raced; the other one created them.
            await uow.rollback()
            existing = await uow.residents.get_by_subject(actor.subject)
            if existing is None:
                raise
            return existing
        return resident


async def change_profile(
    uow: UnitOfWork, actor: Actor, change: ProfileChange, clock: Clock
) -> Resident:
    resident = await current_resident(uow, actor, clock)
    async with uow:
        code = change.home_municipality_code
        if code is not None and not await uow.places.exists(code):
            raise Refusal(
                "MUNICIPALITY_NOT_FOUND",
                "no local government has this code",
                "homeMunicipalityCode",
            )
        updated = update_profile(resident, change, clock.now())
        await uow.residents.update(updated)
        await uow.commit()
        return updated
