"""Mutation payloads: the changed object, or `errors` with stable codes and nothing changed."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from domain.errors import Refusal
from schema.notices import Notice
from schema.partners import SupportMeasure
from schema.types import Activity, ImportJob, Municipality, Registration, Resident

T = TypeVar("T")


@strawberry.type(description="An expected failure: a rule of the scheme refused the request.")
class UserError:
    code: str = strawberry.field(description="Stable UPPER_SNAKE code, e.g. ALREADY_REGISTERED.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str


async def attempt(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """The service's result, or the refusal as payload errors."""
    try:
        return await call, []
    except Refusal as refusal:
        return None, [
            UserError(code=p.code, field=p.field, message=p.message) for p in refusal.problems
        ]


@strawberry.type
class UpdateProfilePayload:
    resident: Resident | None
    errors: list[UserError]


@strawberry.type
class RegisterPayload:
    registration: Registration | None
    errors: list[UserError]


@strawberry.type
class WithdrawPayload:
    registration: Registration | None
    errors: list[UserError]


@strawberry.type
class RecordActivityPayload:
    activity: Activity | None
    errors: list[UserError]


@strawberry.type
class ApplyForPremiumPayload:
    registration: Registration | None
    errors: list[UserError]


@strawberry.type
class ReviewActivityPayload:
    activity: Activity | None
    errors: list[UserError]


@strawberry.type
class SetPremiumPolicyPayload:
    municipality: Municipality | None
    errors: list[UserError]


@strawberry.type
class CreateSupportMeasurePayload:
    support_measure: SupportMeasure | None
    errors: list[UserError]


@strawberry.type
class PublishNoticePayload:
    notice: Notice | None
    errors: list[UserError]


@strawberry.type
class JoinPlatformPayload:
    municipality: Municipality | None
    errors: list[UserError]


@strawberry.type
class ImportListPayload:
    job: ImportJob | None
    errors: list[UserError]
