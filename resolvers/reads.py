"""Reads behind one seam each: what a root field or list asks of the database."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.activities import ActivityStatus
from domain.events import EventType
from domain.notices import FeedScope, feed_scope
from domain.registrations import RegistrationStatus, premium_in_force
from domain.residents import claims_add_to
from domain.tiers import Tier
from domain.vocabulary import Interest
from persistence import mapping, tables, views
from resolvers import inputs
from resolvers.context import Context
from resolvers.loaders import ActivityPage, AuditPage, RegistrationPage
from services.residents import current_resident


async def me(context: Context) -> tables.Resident:
    """The caller as a resident, read without a write lock unless the first call must create
    them or their token adds to what is stored."""
    actor = context.signed_in()
    async with AsyncSession(context.database.read_engine) as session:
        row = await views.resident_by_subject(session, actor.subject)
    if row is None or claims_add_to(row.identity_verified, actor):
        resident = await current_resident(context.unit_of_work(), actor, context.clock)
        row = mapping.resident_to_row(resident)
    context.loaders.resident_by_id.prime(row.id, row)
    return row


async def find_municipalities(
    context: Context,
    search: str | None,
    prefecture_code: str | None,
    first: int | None,
    after: str | None,
) -> views.Page[tables.Municipality]:
    text = search.strip() if search else None
    name, reading = inputs.search_text(text) if text else (None, None)
    prefecture = inputs.code(prefecture_code, "prefectureCode") if prefecture_code else None
    size, position = inputs.page_size(first), inputs.code_cursor(after)
    async with AsyncSession(context.database.read_engine) as session:
        return await views.search_municipalities(session, name, reading, prefecture, size, position)


async def registrations_of_place(
    context: Context, code: str, tier: Tier | None, first: int | None, after: str | None
) -> views.Page[tables.Registration]:
    page = RegistrationPage(code, tier, inputs.page_size(first), inputs.time_cursor(after))
    return await context.loaders.registration_page_by_place.load(page)


async def activities_of_place(
    context: Context, code: str, status: ActivityStatus | None, first: int | None, after: str | None
) -> views.Page[tables.Activity]:
    page = ActivityPage(code, status, inputs.page_size(first), inputs.time_cursor(after))
    return await context.loaders.activity_page_by_place.load(page)


async def audit_trail_of_place(
    context: Context, code: str, first: int | None, after: str | None
) -> views.Page[tables.AuditEntry]:
    page = AuditPage(code, inputs.page_size(first), inputs.id_cursor(after))
    return await context.loaders.audit_trail_page_by_place.load(page)


async def _feed_scope(context: Context) -> FeedScope:
    resident = await me(context)
    held = await context.loaders.registrations_by_resident_id.load(resident.id)
    now = context.clock.now()
    return feed_scope(
        [
            (
                r.municipality_code,
                r.status == RegistrationStatus.ACTIVE,
                premium_in_force(RegistrationStatus(r.status), Tier(r.tier), r.premium_until, now),
            )
            for r in held
        ],
        [Interest(i) for i in resident.interests]
        + [Interest(i) for r in held if r.status == RegistrationStatus.ACTIVE for i in r.interests],
    )


async def my_feed(
    context: Context, first: int | None, after: str | None
) -> views.Page[tables.Notice]:
    size, position = inputs.page_size(first), inputs.time_cursor(after)
    scope = await _feed_scope(context)
    async with AsyncSession(context.database.read_engine) as session:
        return await views.feed(session, scope, context.clock.now(), size, position)


async def feed_updates(context: Context) -> AsyncIterator[tables.Notice]:
    """Notices as they are published, to the places of the feed when the subscription began."""
    scope = await _feed_scope(context)
    async for event in context.events.follow_live(sorted(scope.places)):
        # A place's own notices only: its prefecture's stream repeats its municipalities' events.
        if event.type != EventType.NOTICE_PUBLISHED or event.municipality_code != event.stream_code:
            continue
        async with AsyncSession(context.database.read_engine) as session:
            notice = await views.notice_reaching(
                session, event.subject_id, scope, context.clock.now()
            )
        if notice is not None:
            yield notice
