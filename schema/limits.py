"""Rate limits declared on fields, beside their permissions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from resolvers.context import Context
from resolvers.errors import coded_error

RATE_LIMITED = "RATE_LIMITED"


class PartnerRateLimit(FieldExtension):
    """Each partner gets so many checks a minute, so that a leaked token cannot scan."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> Any:
        actor = info.context.signed_in()
        if not info.context.partner_limits.allow(actor.partner_id or actor.subject):
            raise coded_error("too many checks: try again in a minute", RATE_LIMITED)
        return await next_(source, info, **kwargs)


class MutationRateLimit(FieldExtension):
    """Each caller makes so many changes a minute: a script with a stolen token cannot flood
    a place's registrants or review queue."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> Any:
        if not info.context.mutation_limits.allow(info.context.signed_in().subject):
            raise coded_error("too many changes: try again in a minute", RATE_LIMITED)
        return await next_(source, info, **kwargs)
