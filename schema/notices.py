"""Notices: what places publish, and the resident's feed of them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from persistence import tables
from resolvers import inputs
from schema.enums import Interest, NoticeAudience, NoticeKind
from schema.relay import Node
from schema.types import Ctx, Municipality, municipality


@strawberry.type(description="A notice a place published to its registrants.")
class Notice(Node):
    kind: NoticeKind
    title: str
    body: str
    published_at: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    interests: list[Interest]
    audience: NoticeAudience
    municipality_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: tables.Notice) -> Notice:
        return cls(
            id=strawberry.ID(inputs.global_id("Notice", row.id)),
            kind=NoticeKind(row.kind),
            title=row.title,
            body=row.body,
            published_at=row.published_at,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            interests=[Interest(i) for i in row.interests],
            audience=NoticeAudience(row.audience),
            municipality_code=row.municipality_code,
        )

    @strawberry.field
    async def municipality(self, info: Ctx) -> Municipality:
        return await municipality(info, self.municipality_code)
