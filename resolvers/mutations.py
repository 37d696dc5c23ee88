"""Mutations: parse the input, call one service, return what it made."""

from __future__ import annotations

from datetime import date, datetime

from domain.activities import Activity, ActivityReport
from domain.notices import Notice, NoticeAudience, NoticeDraft, NoticeKind
from domain.places import Participation
from domain.premium import PremiumPolicy
from domain.registrations import Registration
from domain.residents import ProfileChange, Resident
from domain.vocabulary import ActivityKind, Interest, Relationship
from resolvers import inputs
from resolvers.context import Context
from services import activities, notices, places, registrations, residents


async def update_profile(
    context: Context,
    display_name: str | None,
    birth_year: int | None,
    home_municipality_code: str | None,
    interests: list[Interest] | None,
) -> Resident:
    change = ProfileChange(
        display_name=display_name,
        birth_year=birth_year,
        home_municipality_code=(
            inputs.code(home_municipality_code, "homeMunicipalityCode")
            if home_municipality_code is not None
            else None
        ),
        interests=tuple(interests) if interests is not None else None,
    )
    return await residents.change_profile(
        context.unit_of_work(), context.signed_in(), change, context.clock
    )


async def register(
    context: Context, code: str, relationship: Relationship, interests: list[Interest]
) -> Registration:
    return await registrations.register_with(
        context.unit_of_work(),
        context.signed_in(),
        inputs.code(code),
        relationship,
        interests,
        context.clock,
    )


async def withdraw(context: Context, registration_id: str) -> Registration:
    return await registrations.withdraw_registration(
        context.unit_of_work(),
        context.signed_in(),
        inputs.id_of("Registration", registration_id, "registrationId"),
        context.clock,
    )


async def apply_for_premium(context: Context, registration_id: str) -> Registration:
    return await registrations.apply_for_premium(
        context.unit_of_work(),
        context.signed_in(),
        inputs.id_of("Registration", registration_id, "registrationId"),
        context.clock,
    )


async def record_activity(
    context: Context,
    code: str,
    kind: ActivityKind,
    occurred_on: date,
    hours: float,
    description: str,
) -> Activity:
    report = ActivityReport(inputs.code(code), kind, occurred_on, hours, description)
    return await activities.record(
        context.unit_of_work(), context.signed_in(), report, context.clock
    )


async def review_activity(
    context: Context, activity_id: str, approve: bool, note: str | None
) -> Activity:
    return await activities.review(
        context.unit_of_work(),
        context.signed_in(),
        inputs.id_of("Activity", activity_id, "activityId"),
        approve,
        note,
        context.clock,
    )


async def set_premium_policy(
    context: Context,
    code: str,
    required_activities: int,
    window_days: int,
    eligible_activity_kinds: list[ActivityKind],
) -> PremiumPolicy:
    return await places.set_premium_policy(
        context.unit_of_work(),
        inputs.code(code),
        required_activities,
        window_days,
        eligible_activity_kinds,
    )


async def join_platform(
    context: Context, code: str, agreed_on: date, starts_on: date
) -> Participation:
    return await places.join_platform(
        context.unit_of_work(), inputs.code(code), agreed_on, starts_on
    )


async def publish_notice(
    context: Context,
    code: str,
    kind: NoticeKind,
    title: str,
    body: str,
    interests: list[Interest],
    audience: NoticeAudience,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Notice:
    draft = NoticeDraft(
        inputs.code(code), kind, title, body, tuple(interests), audience, starts_at, ends_at
    )
    return await notices.publish_notice(
        context.unit_of_work(), context.signed_in(), draft, context.clock
    )
