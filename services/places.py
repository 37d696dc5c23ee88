"""Participation of places in the platform, and their premium policy."""

from __future__ import annotations

from datetime import date

from domain.places import Participation, participation, unknown_place
from domain.premium import PremiumPolicy, premium_policy
from domain.vocabulary import ActivityKind
from services.unit_of_work import UnitOfWork


async def join_platform(
    uow: UnitOfWork, municipality_code: str, agreed_on: date, starts_on: date
) -> Participation:
    """Record (or correct) a place's agreement to the terms of use and its first day of use."""
    async with uow:
        if not await uow.places.exists(municipality_code):
            raise unknown_place()
        record = participation(municipality_code, agreed_on, starts_on)
        await uow.places.save_participation(record)
        await uow.commit()
        return record


async def set_premium_policy(
    uow: UnitOfWork,
    municipality_code: str,
    required_activities: int,
    window_days: int,
    eligible_activity_kinds: list[ActivityKind],
) -> PremiumPolicy:
    async with uow:
        if not await uow.places.exists(municipality_code):
            raise unknown_place()
        policy = premium_policy(required_activities, window_days, eligible_activity_kinds)
        await uow.places.save_premium_policy(municipality_code, policy)
        await uow.commit()
        return policy
