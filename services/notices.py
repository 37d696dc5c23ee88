"""Notices, published by a place's staff."""

from __future__ import annotations

from domain.clock import Clock
from domain.notices import Notice, NoticeDraft, publish
from domain.places import unknown_place
from domain.roles import Actor
from services.unit_of_work import UnitOfWork


async def publish_notice(uow: UnitOfWork, actor: Actor, draft: NoticeDraft, clock: Clock) -> Notice:
    async with uow:
        if not await uow.places.exists(draft.municipality_code):
            raise unknown_place()
        participation = await uow.places.participation(draft.municipality_code)
        notice = publish(draft, participation, actor.subject, clock.now())
        await uow.notices.add(notice)
        await uow.commit()
        return notice
