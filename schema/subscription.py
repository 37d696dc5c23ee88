"""The subscription root: what municipal dashboards watch live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from domain.events import SubjectKind
from persistence import tables
from resolvers import events, inputs, reads
from schema.enums import EventType, RegistrationTier
from schema.notices import Notice
from schema.permissions import AdministersArgumentPlace, IsResident
from schema.types import Ctx


@strawberry.type(description="Something that happened in a place. No personal data.")
class MunicipalEvent:
    cursor: str = strawberry.field(description="Resume after this event with `after`.")
    type: EventType
    occurred_at: datetime
    subject_id: strawberry.ID = strawberry.field(
        description="The global ID of the registration, activity or notice it concerns."
    )
    tier: RegistrationTier | None

    @classmethod
    def from_row(cls, row: tables.MunicipalEvent) -> MunicipalEvent:
        return cls(
            cursor=events.cursor(row),
            type=EventType(row.type),
            occurred_at=row.occurred_at,
            subject_id=strawberry.ID(
                inputs.global_id(SubjectKind(row.subject_kind).value, row.subject_id)
            ),
            tier=RegistrationTier(row.tier) if row.tier else None,
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[IsResident],
        description="Notices of your feed as they are published (to the places you were"
        " registered with when the subscription began).",
    )
    async def feed_updates(self, info: Ctx) -> AsyncGenerator[Notice, None]:
        async for row in reads.feed_updates(info.context):
            yield Notice.from_row(row)

    @strawberry.subscription(
        permission_classes=[AdministersArgumentPlace],
        description="Everything that happens in a place (a prefecture: in its municipalities"
        " too), in commit order: first every event after `after`, then live.",
    )
    async def municipal_events(
        self, info: Ctx, municipality_code: str, after: str | None = None
    ) -> AsyncGenerator[MunicipalEvent, None]:
        async for row in events.follow(info.context, municipality_code, after):
            yield MunicipalEvent.from_row(row)
