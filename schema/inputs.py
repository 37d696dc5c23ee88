"""Input objects of the mutations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.enums import (
    ActivityKind,
    Interest,
    NoticeAudience,
    NoticeKind,
    RegistrationTier,
    Relationship,
)


@strawberry.input(description="Fields left out stay as they are.")
class UpdateProfileInput:
    display_name: str | None = None
    birth_year: int | None = None
    home_municipality_code: str | None = None
    interests: list[Interest] | None = None


@strawberry.input
class RegisterInput:
    municipality_code: str
    relationship: Relationship
    interests: list[Interest] = strawberry.field(default_factory=list)


@strawberry.input
class WithdrawInput:
    registration_id: strawberry.ID


@strawberry.input
class RecordActivityInput:
    municipality_code: str
    kind: ActivityKind
    occurred_on: date
    hours: float
    description: str = ""


@strawberry.input
class ApplyForPremiumInput:
    registration_id: strawberry.ID


@strawberry.input
class ReviewActivityInput:
    activity_id: strawberry.ID
    approve: bool
    note: str | None = None


@strawberry.input
class PremiumPolicyInput:
    municipality_code: str
    required_activities: int
    window_days: int
    eligible_activity_kinds: list[ActivityKind]


@strawberry.input
class SupportMeasureInput:
    municipality_code: str = strawberry.field(
        description="The scope: a municipality, or a prefecture for all of its municipalities."
    )
    title: str
    description: str = ""
    minimum_tier: RegistrationTier = RegistrationTier.BASIC
    valid_from: date
    valid_until: date
    partner_id: str | None = strawberry.field(
        default=None, description="The partner offering it; null for the place's own measure."
    )


@strawberry.input
class PublishNoticeInput:
    municipality_code: str
    kind: NoticeKind
    title: str
    body: str = ""
    interests: list[Interest] = strawberry.field(
        default_factory=list, description="None: for every interest."
    )
    audience: NoticeAudience = NoticeAudience.ALL
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@strawberry.input
class JoinPlatformInput:
    municipality_code: str
    agreed_on: date
    starts_on: date
