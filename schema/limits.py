"""Rate limits declared on fields, beside their permissions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from domain.roles import Actor
from resolvers.context import Context
from resolvers.errors import coded_error

RATE_LIMITED = "RATE_LIMITED"


class _PerCallerLimit(FieldExtension, ABC):
    """So many calls a minute per caller; beyond that, RATE_LIMITED and nothing runs."""

    refusal: str

    @abstractmethod
    def _allowed(self, context: Context, actor: Actor) -> bool: ...

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> Any:
        if not self._allowed(info.context, info.context.signed_in()):
            raise coded_error(self.refusal, RATE_LIMITED)
        return await next_(source, info, **kwargs)


class PartnerRateLimit(_PerCallerLimit):
    """Each partner gets so many checks a minute, so that a leaked token cannot scan."""

    refusal = "too many checks: try again in a minute"

    def _allowed(self, context: Context, actor: Actor) -> bool:
        return context.partner_limits.allow(actor.partner_id or actor.subject)


class MutationRateLimit(_PerCallerLimit):
    """Each caller makes so many changes a minute: a script with a stolen token cannot flood
    a place's registrants or review queue."""

    refusal = "too many changes: try again in a minute"

    def _allowed(self, context: Context, actor: Actor) -> bool:
        return context.mutation_limits.allow(actor.subject)
