"""Keeping the figures of related population up to date, in the transaction of each change.

Repositories tell what changed; the changes to figures gather in the session and are written
at commit, summed, in one order (so two transactions never wait for each other's figure rows
the other way round). A person's membership of a prefecture or of the nation is read and
written at once, because whether they enter or leave it decides what counts.

Use cases that add or end a person's registrations hold the lock on the person's row (as
corrections of their home or birth year do), so that the person's figures are counted with the
home and birth year that stand when the transaction commits. Repositories count before they
append events, and a transaction changes one person's registrations only: a person's
membership rows are always taken before any event stream, never the other way round.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, delete
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code
from domain.clock import japan_date
from domain.events import EventType, MunicipalEvent
from domain.registrations import RegistrationStatus
from domain.statistics import (
    NATION,
    Flow,
    Membership,
    Person,
    Tie,
    daily_figure,
    membership_change,
    monthly_figure,
    person_change,
    scopes_of,
    shard_of,
    tie_change,
)
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship
from persistence import bulk, tables

PENDING = "tallies"
TALLY_COLUMNS = ("scope", "figure", "shard", "count")
# Many figure changes at once, on their way into `tally` (PostgreSQL).
_INCOMING = Table(
    "tally_incoming",
    MetaData(),
    Column("scope", String(6)),
    Column("figure", String(40)),
    Column("shard", Integer),
    Column("count", BigInteger),
    prefixes=["TEMPORARY"],
)

Key = tuple[str, str, int]


def _pending(session: AsyncSession) -> Counter[Key]:
    pending: Counter[Key] = session.info.setdefault(PENDING, Counter())
    return pending


def _count(session: AsyncSession, scope: str, shard: int, changes: Mapping[str, int]) -> None:
    pending = _pending(session)
    for figure, change in changes.items():
        pending[(scope, figure, shard)] += change


def insert_for(session: AsyncSession, table: Any) -> Any:
    """An INSERT that can be told what to do on conflict, in the session's dialect."""
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


async def flush(session: AsyncSession) -> None:
    """Write the figures this transaction changed."""
    pending: Counter[Key] | None = session.info.pop(PENDING, None)
    rows = [
        {"scope": scope, "figure": figure, "shard": shard, "count": change}
        for (scope, figure, shard), change in sorted((pending or Counter()).items())
        if change
    ]
    await add_counts(await session.connection(), rows)


# Figure rows beyond which PostgreSQL takes them by COPY rather than one statement each.
COPY_FROM = 1_000


async def add_counts(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Add each row's count to its figure (scope, figure, shard), made if it is not there."""
    if not rows:
        return
    table = tables.Tally.__table__  # type: ignore[attr-defined]
    postgresql_bulk = connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM
    source: Any = _INCOMING if postgresql_bulk else None
    if source is not None:
        await connection.run_sync(lambda sync: _INCOMING.create(sync, checkfirst=True))
        await bulk.copy(connection, _INCOMING, TALLY_COLUMNS, [tuple(row.values()) for row in rows])
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table).from_select(
            TALLY_COLUMNS,
            # In one order, as the rows of the other path are.
            sql_select(*_INCOMING.c).order_by(*list(_INCOMING.c)[:3]),
        )
        if source is not None
        else dialect.insert(table)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "figure", "shard"],
        set_={"count": table.c.count + statement.excluded["count"]},
    )
    if source is not None:
        await connection.execute(statement)
        await bulk.empty(connection, _INCOMING)
    else:
        await connection.execute(statement, rows)


def discard(session: AsyncSession) -> None:
    session.info.pop(PENDING, None)


def person_of(home_municipality_code: str | None, birth_year: int | None) -> Person:
    home = home_municipality_code
    return Person(municipality_code.prefecture_of(home) if home else None, birth_year)


def tie_of(status: str, relationship: str, interests: Iterable[str], tier: str) -> Tie | None:
    """What a registration adds to the figures: nothing once it is not active."""
    if status != RegistrationStatus.ACTIVE.value:
        return None
    return Tie(
        Relationship(relationship),
        tuple(Interest(interest) for interest in interests),
        Tier(tier),
    )


async def _person(session: AsyncSession, resident_id: uuid.UUID) -> Person:
    statement = select(
        col(tables.Resident.birth_year), col(tables.Resident.home_municipality_code)
    ).where(col(tables.Resident.id) == resident_id)
    birth_year, home = (await session.exec(statement)).one()
    return person_of(home, birth_year)


async def _member(
    session: AsyncSession, scope: str, resident_id: uuid.UUID, registrations: int, premium: int
) -> tuple[Membership, Membership]:
    """The person's membership of a scope before and after this change."""
    table = tables.TallyMember.__table__  # type: ignore[attr-defined]
    statement = insert_for(session, table).values(
        scope=scope, resident_id=resident_id, registrations=registrations, premium=premium
    )
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "resident_id"],
        set_={
            "registrations": table.c.registrations + statement.excluded["registrations"],
            "premium": table.c.premium + statement.excluded["premium"],
        },
    ).returning(table.c.registrations, table.c.premium)
    connection = await session.connection()
    now_registrations, now_premium = (await connection.execute(statement)).one()
    after = Membership(now_registrations, now_premium)
    if not now_registrations:
        await connection.execute(
            delete(table).where(table.c.scope == scope, table.c.resident_id == resident_id)
        )
    return after.after(-registrations, -premium), after


def _one(tie: Tie | None) -> Membership:
    if tie is None:
        return Membership()
    return Membership(1, int(tie.tier is Tier.PREMIUM))


async def registration_changed(
    session: AsyncSession,
    resident_id: uuid.UUID,
    place_code: str,
    before: Tie | None,
    after: Tie | None,
    flows: Mapping[str, int],
) -> None:
    """A registration went from one state to another (None: not active, or not there)."""
    shard = shard_of(resident_id)
    ties = tie_change(before, after)
    registrations = _one(after).registrations - _one(before).registrations
    premium = _one(after).premium - _one(before).premium
    scopes = scopes_of(place_code)
    for scope in scopes:
        _count(session, scope, shard, ties)
        _count(session, scope, shard, flows)
    if not (registrations or premium):
        return
    person = await _person(session, resident_id)
    # The nation's membership is how many places the person has: first, for every scope.
    in_nation = await _member(session, NATION, resident_id, registrations, premium)
    was = replace(person, places=in_nation[0].registrations)
    now = replace(person, places=in_nation[1].registrations)
    for scope in scopes:
        if scope == NATION:
            memberships = in_nation
        elif scope == place_code and not municipality_code.is_prefecture(scope):
            # One active registration per person and municipality: the tie is the membership.
            memberships = _one(before), _one(after)
        else:
            memberships = await _member(session, scope, resident_id, registrations, premium)
        _count(session, scope, shard, membership_change(was, memberships[0], now, memberships[1]))
    if was != now:
        # Everywhere else they stay, they now have another count of places.
        for scope, tier in await _memberships(session, resident_id):
            if scope not in scopes:
                _count(session, scope, shard, person_change(was, now, tier))


async def _memberships(session: AsyncSession, resident_id: uuid.UUID) -> list[tuple[str, Tier]]:
    """Every scope the person counts in, with their tier there."""
    registration = tables.Registration
    municipalities = await session.exec(
        select(col(registration.municipality_code), col(registration.tier)).where(
            col(registration.resident_id) == resident_id,
            col(registration.status) == RegistrationStatus.ACTIVE.value,
            col(registration.municipality_code) != col(registration.prefecture_code),
        )
    )
    member = tables.TallyMember
    wider = await session.exec(
        select(col(member.scope), col(member.premium)).where(col(member.resident_id) == resident_id)
    )
    return [(scope, Tier(tier)) for scope, tier in municipalities] + [
        (scope, Tier.PREMIUM if premium else Tier.BASIC) for scope, premium in wider
    ]


async def person_corrected(
    session: AsyncSession, resident_id: uuid.UUID, before: Person, after: Person
) -> None:
    """A registrant's home or birth year changed: move them in every scope they count in."""
    if before == after:
        return
    shard = shard_of(resident_id)
    for scope, tier in await _memberships(session, resident_id):
        _count(session, scope, shard, person_change(before, after, tier))


def _month(flow: str, at: datetime) -> dict[str, int]:
    return {monthly_figure(flow, japan_date(at)): 1}


FLOW_OF = {
    EventType.WITHDRAWN: Flow.WITHDRAWN,
    EventType.PREMIUM_GRANTED: Flow.PREMIUM_GRANTED,
}


def flows(events: Iterable[MunicipalEvent]) -> Counter[str]:
    """What a registration went through in this transaction, by month (new ones by day too):
    from its events, so that two grants in one month count twice."""
    counted: Counter[str] = Counter()
    for event in events:
        if event.type is EventType.REGISTERED:
            counted[monthly_figure(Flow.REGISTERED, japan_date(event.occurred_at))] += 1
            counted[daily_figure(japan_date(event.occurred_at))] += 1
        elif event.type in FLOW_OF:
            counted.update(_month(FLOW_OF[event.type], event.occurred_at))
    return counted


def activity_verified(
    session: AsyncSession, resident_id: uuid.UUID, place_code: str, at: datetime
) -> None:
    for scope in scopes_of(place_code):
        _count(session, scope, shard_of(resident_id), _month(Flow.ACTIVITY_VERIFIED, at))


def counted_in_bulk(
    session: AsyncSession, place_code: str, changes: Mapping[tuple[str, int], int]
) -> None:
    """Figure changes of many people of one place at once, by (figure, shard)."""
    pending = _pending(session)
    for scope in scopes_of(place_code):
        for (figure, shard), change in changes.items():
            pending[(scope, figure, shard)] += change


def membership_scopes(place_code: str) -> list[str]:
    """Where a registration with this place makes its person a member (tally_member): its
    prefecture and the nation; a municipality's members are its registrations."""
    return [
        scope
        for scope in scopes_of(place_code)
        if scope == NATION or municipality_code.is_prefecture(scope)
    ]
