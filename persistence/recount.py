"""Counting every figure afresh from the records: to fill the figures of an existing
database, and to check that the figures kept change by change are exact."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, insert, select

from domain.activities import ActivityStatus
from domain.clock import japan_date
from domain.events import EventType
from domain.statistics import Flow, Happening, Person, Recount, Standing, recount
from persistence import tables, tallies

Row = Any


def statements() -> tuple[Select[Any], Select[Any], Select[Any], Select[Any]]:
    """Registrations, registrants, premium grants (from the outbox: renewals overwrite the
    registration's own date) and verified activities."""
    r = tables.Registration.__table__  # type: ignore[attr-defined]
    p = tables.Resident.__table__  # type: ignore[attr-defined]
    e = tables.MunicipalEvent.__table__  # type: ignore[attr-defined]
    a = tables.Activity.__table__  # type: ignore[attr-defined]
    return (
        select(
            r.c.resident_id,
            r.c.municipality_code,
            r.c.status,
            r.c.tier,
            r.c.relationship,
            r.c.interests,
            r.c.registered_at,
            r.c.withdrawn_at,
        ),
        select(p.c.id, p.c.home_municipality_code, p.c.birth_year).where(
            p.c.id.in_(select(r.c.resident_id))
        ),
        select(r.c.resident_id, r.c.municipality_code, e.c.occurred_at)
        .select_from(e)
        .join(r, and_(r.c.id == e.c.subject_id))
        .where(
            e.c.type == EventType.PREMIUM_GRANTED.value,
            e.c.stream_code == e.c.municipality_code,
        ),
        select(a.c.resident_id, a.c.municipality_code, a.c.reviewed_at).where(
            a.c.status == ActivityStatus.VERIFIED.value
        ),
    )


def _day(at: datetime | None) -> Any:
    return japan_date(at) if at else None


def from_rows(
    registrations: Iterable[Row],
    residents: Iterable[Row],
    grants: Iterable[Row],
    verified: Iterable[Row],
) -> Recount:
    standings = [
        Standing(
            resident_id=row.resident_id,
            place_code=row.municipality_code,
            tie=tallies.tie_of(row.status, row.relationship, row.interests, row.tier),
            registered_on=japan_date(row.registered_at),
            withdrawn_on=_day(row.withdrawn_at),
        )
        for row in registrations
    ]
    people: dict[uuid.UUID, Person] = {
        row.id: tallies.person_of(row.home_municipality_code, row.birth_year) for row in residents
    }
    happenings = [
        Happening(row.resident_id, row.municipality_code, Flow.PREMIUM_GRANTED, japan_date(row[2]))
        for row in grants
    ] + [
        Happening(
            row.resident_id, row.municipality_code, Flow.ACTIVITY_VERIFIED, japan_date(row[2])
        )
        for row in verified
    ]
    return recount(standings, people, happenings)


def fill(bind: Connection) -> None:
    """Writes every figure counted afresh from the records into the empty `tally` and
    `tally_member` (migrations, for registrations made before a figure was kept)."""
    registrations, residents, grants, verified = (
        bind.execute(statement).all() for statement in statements()
    )
    counted = from_rows(registrations, residents, grants, verified)
    if counted.figures:
        bind.execute(
            insert(tables.Tally.__table__),  # type: ignore[attr-defined]
            [
                {"scope": scope, "figure": figure, "shard": shard, "count": count}
                for (scope, figure, shard), count in counted.figures.items()
            ],
        )
    if counted.members:
        bind.execute(
            insert(tables.TallyMember.__table__),  # type: ignore[attr-defined]
            [
                {
                    "scope": scope,
                    "resident_id": resident_id,
                    "registrations": membership.registrations,
                    "premium": membership.premium,
                }
                for (scope, resident_id), membership in counted.members.items()
            ],
        )
