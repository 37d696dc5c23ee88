"""The event outbox: each municipal event appended to its place's stream (and its
prefecture's) in the transaction of the change, numbered in commit order per stream."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code
from domain.events import MunicipalEvent
from persistence import tables


def streams_of(code: str) -> list[str]:
    prefecture = municipality_code.prefecture_of(code)
    return [code] if prefecture == code else [code, prefecture]


async def append(session: AsyncSession, events: Iterable[MunicipalEvent]) -> None:
    stream = tables.EventStream.__table__  # type: ignore[attr-defined]
    for event in events:
        for code in streams_of(event.municipality_code):
            seq = (
                await session.exec(
                    update(stream)
                    .where(stream.c.code == code)
                    .values(last_seq=stream.c.last_seq + 1)
                    .returning(stream.c.last_seq)
                )
            ).scalar_one()
            session.add(
                tables.MunicipalEvent(
                    stream_code=code,
                    seq=seq,
                    type=event.type.value,
                    municipality_code=event.municipality_code,
                    occurred_at=event.occurred_at,
                    subject_kind=event.subject_kind.value,
                    subject_id=event.subject_id,
                    tier=event.tier.value if event.tier else None,
                )
            )


async def open_streams(connection: AsyncConnection) -> None:
    """A stream for every place that has none yet (idempotent, with the master data)."""
    stream = tables.EventStream.__table__  # type: ignore[attr-defined]
    place = tables.Municipality.__table__  # type: ignore[attr-defined]
    await connection.execute(
        insert(stream).from_select(
            ["code", "last_seq"],
            select(place.c.code, literal(0)).where(
                place.c.code.not_in(select(col(tables.EventStream.code)))
            ),
        )
    )
