"""The read side: what GraphQL shows, fetched in batches, without the domain's write path.

Each function is one statement (two for a page: its rows and its total), so that a request
costs a fixed number of queries however many rows it shows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    literal,
    not_,
    or_,
    true,
    tuple_,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import municipality_code
from domain.activities import ActivityStatus
from domain.certificates import CertificateStatus
from domain.imports import ImportKind
from domain.notices import FeedScope, NoticeAudience
from domain.registrations import RegistrationStatus
from domain.statistics import NATION, REGISTRATIONS, Flow, daily_figure
from domain.tiers import Tier
from persistence import tables

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    has_next: bool


async def participations_by_code(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, tables.Participation]:
    rows = await session.exec(
        select(tables.Participation).where(col(tables.Participation.municipality_code).in_(codes))
    )
    return {row.municipality_code: row for row in rows}


async def premium_policies_by_code(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, tables.PremiumPolicy]:
    rows = await session.exec(
        select(tables.PremiumPolicy).where(col(tables.PremiumPolicy.municipality_code).in_(codes))
    )
    return {row.municipality_code: row for row in rows}


async def residents_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.Resident]:
    rows = await session.exec(select(tables.Resident).where(col(tables.Resident.id).in_(ids)))
    return {row.id: row for row in rows}


async def resident_by_subject(session: AsyncSession, subject: str) -> tables.Resident | None:
    statement = select(tables.Resident).where(tables.Resident.subject == subject)
    return (await session.exec(statement)).first()


async def registrations_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.Registration]:
    rows = await session.exec(
        select(tables.Registration).where(col(tables.Registration.id).in_(ids))
    )
    return {row.id: row for row in rows}


async def registrations_by_resident(
    session: AsyncSession, resident_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tables.Registration]]:
    rows = await session.exec(
        select(tables.Registration)
        .where(col(tables.Registration.resident_id).in_(resident_ids))
        .order_by(col(tables.Registration.registered_at), col(tables.Registration.id))
    )
    grouped: dict[uuid.UUID, list[tables.Registration]] = defaultdict(list)
    for row in rows:
        grouped[row.resident_id].append(row)
    return grouped


async def current_certificates(
    session: AsyncSession, registration_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.Certificate]:
    """The certificate each registration shows: the one in force, else the last one issued
    (of two issued at the same instant, the greater id: persistence/operation_reads.py picks
    the same)."""
    in_force = case((col(tables.Certificate.status) == CertificateStatus.VALID.value, 1), else_=0)
    rows = await session.exec(
        select(tables.Certificate)
        .where(col(tables.Certificate.registration_id).in_(registration_ids))
        .order_by(in_force, col(tables.Certificate.issued_at), col(tables.Certificate.id))
    )
    return {row.registration_id: row for row in rows}


async def verified_activities(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, str]], since: date
) -> dict[tuple[uuid.UUID, str], list[tuple[str, date]]]:
    """Verified activities on or after `since` per (resident, place)."""
    rows = await session.exec(
        select(
            col(tables.Activity.resident_id),
            col(tables.Activity.municipality_code),
            col(tables.Activity.kind),
            col(tables.Activity.occurred_on),
        ).where(
            tuple_(col(tables.Activity.resident_id), col(tables.Activity.municipality_code)).in_(
                list(keys)
            ),
            tables.Activity.status == ActivityStatus.VERIFIED.value,
            col(tables.Activity.occurred_on) >= since,
        )
    )
    grouped: dict[tuple[uuid.UUID, str], list[tuple[str, date]]] = defaultdict(list)
    for resident_id, code, kind, occurred_on in rows:
        grouped[(resident_id, code)].append((kind, occurred_on))
    return grouped


async def activities_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.Activity]:
    rows = await session.exec(select(tables.Activity).where(col(tables.Activity.id).in_(ids)))
    return {row.id: row for row in rows}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_municipalities(
    session: AsyncSession,
    name: str | None,
    reading: str | None,
    prefecture_code: str | None,
    first: int,
    after: str | None,
) -> Page[tables.Municipality]:
    """Places whose name or reading contains the text (a prefix is contained too), in code
    order, so that a cursor is just the last code seen."""
    m = tables.Municipality
    conditions: list[ColumnElement[bool]] = []
    if name and reading:
        conditions.append(
            or_(
                col(m.name).like(_like(name), escape="\\"),
                col(m.name_kana).like(_like(reading), escape="\\"),
            )
        )
    if prefecture_code is not None:
        conditions.append(col(m.prefecture_code) == prefecture_code)
    total = (await session.exec(select(func.count()).select_from(m).where(*conditions))).one()
    statement = select(m).where(*conditions)
    if after is not None:
        statement = statement.where(col(m.code) > after)
    rows = list(await session.exec(statement.order_by(col(m.code)).limit(first + 1)))
    return Page(rows[:first], total, len(rows) > first)


Cursor = tuple[datetime, uuid.UUID]
Listed = TypeVar("Listed", tables.Registration, tables.Activity)


# Places whose pages one statement reads: SQLite takes at most 500 parts of a UNION.
PLACES_A_STATEMENT = 200


def _page_ids(model: type[Listed], conditions: list[Any], ordering: list[Any], size: int) -> Any:
    """The ids of a place's page (`conditions` name the place), from the list's index: a
    subquery, as a part of a UNION must be to have an order and a limit of its own."""
    ids = (sql_select(col(model.id)).where(*conditions).order_by(*ordering).limit(size)).subquery()
    return sql_select(ids.c.id)


def _kept_totals(places: Sequence[str], figure: str) -> Any:
    """A figure of each place as the figures keep it: exact (kept in the transaction of each
    change) and read from a few rows a place, however long its list."""
    t = tables.Tally
    return (
        sql_select(col(t.scope), func.sum(col(t.count)))
        .where(col(t.scope).in_(places), col(t.figure) == figure)
        .group_by(col(t.scope))
    )


async def _pages_by_place(
    session: AsyncSession,
    model: type[Listed],
    codes: Sequence[str],
    conditions: list[Any],
    at: Any,
    newest_first: bool,
    first: int,
    after: Cursor | None,
    kept: str | None = None,
) -> dict[str, Page[Listed]]:
    """One page of the same shape for each place, by kind of place (a prefecture's list holds
    its municipalities' rows too): the pages in one statement, each read from the list's index
    up to its size, and every place's total in another: the figure `kept` where the figures
    keep it, else counted. The cost is the page's, not the list's (a window over all of a
    place's rows cost about 2.3 us a row)."""
    pages: dict[str, Page[Listed]] = {}
    key = tuple_(at, col(model.id))
    ordering = [at.desc(), col(model.id).desc()] if newest_first else [at, col(model.id)]
    passes: Any = true()
    if after is not None:
        passes = key < tuple_(*after) if newest_first else key > tuple_(*after)
    for scope, prefectures in (
        (col(model.municipality_code), False),
        (col(model.prefecture_code), True),
    ):
        group = [c for c in codes if municipality_code.is_prefecture(c) == prefectures]
        listed: dict[str, list[Listed]] = defaultdict(list)
        for start in range(0, len(group), PLACES_A_STATEMENT):
            part = group[start : start + PLACES_A_STATEMENT]
            # The page and one more of each place (to know whether another page follows).
            shown = union_all(
                *(
                    _page_ids(
                        model, [scope == place, passes, *conditions], ordering, first + 1
                    ).add_columns(literal(place, String).label("place"))
                    for place in part
                )
            ).subquery()
            statement = (
                select(model, shown.c.place)
                .join(shown, col(model.id) == shown.c.id)
                .order_by(shown.c.place, *ordering)
            )
            for found, place in await session.exec(statement):
                listed[place].append(found)
        totals: dict[str, int] = {}
        if group:
            counted: Any = (
                _kept_totals(group, kept)
                if kept is not None
                else sql_select(scope, func.count())
                .where(scope.in_(group), *conditions)
                .group_by(scope)
            )
            for place, total in await session.exec(counted):
                totals[place] = int(total)
        for place in group:
            rows = listed.get(place, [])
            pages[place] = Page(rows[:first], totals.get(place, 0), len(rows) > first)
    return pages


async def registrations_of_places(
    session: AsyncSession,
    codes: Sequence[str],
    tier: Tier | None,
    now: datetime,
    first: int,
    after: Cursor | None,
) -> dict[str, Page[tables.Registration]]:
    """Active registrations, newest first. The tier is the one in force now."""
    r = tables.Registration
    conditions: list[Any] = [col(r.status) == RegistrationStatus.ACTIVE.value]
    premium_now = and_(col(r.tier) == Tier.PREMIUM.value, col(r.premium_until) > now)
    if tier is Tier.PREMIUM:
        conditions.append(premium_now)
    elif tier is Tier.BASIC:
        conditions.append(not_(premium_now))
    return await _pages_by_place(
        session,
        r,
        codes,
        conditions,
        col(r.registered_at),
        True,
        first,
        after,
        # The figures keep a place's active registrations, not the tier in force now (they
        # catch up with a lapsed premium when the lapse is applied): a tier's total is counted.
        kept=REGISTRATIONS if tier is None else None,
    )


async def activities_of_places(
    session: AsyncSession,
    codes: Sequence[str],
    status: ActivityStatus | None,
    first: int,
    after: Cursor | None,
) -> dict[str, Page[tables.Activity]]:
    """Activities in the order they were recorded: the review queue is first come, first served."""
    a = tables.Activity
    conditions: list[Any] = [] if status is None else [col(a.status) == status.value]
    return await _pages_by_place(
        session, a, codes, conditions, col(a.recorded_at), False, first, after
    )


async def status_list_size(session: AsyncSession, list_id: int) -> int | None:
    status_list = await session.get(tables.StatusList, list_id)
    return status_list.size if status_list else None


async def ended_certificates(session: AsyncSession, list_id: int) -> list[tuple[int, str]]:
    """(index, status) of the certificates in a status list that are no longer valid."""
    rows = await session.exec(
        select(col(tables.Certificate.status_index), col(tables.Certificate.status)).where(
            tables.Certificate.status_list_id == list_id,
            tables.Certificate.status != CertificateStatus.VALID.value,
        )
    )
    return [(index, status) for index, status in rows]


async def certificate_at(
    session: AsyncSession, list_id: int, index: int
) -> tables.Certificate | None:
    statement = select(tables.Certificate).where(
        tables.Certificate.status_list_id == list_id,
        tables.Certificate.status_index == index,
    )
    return (await session.exec(statement)).first()


async def support_measures_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.SupportMeasure]:
    rows = await session.exec(
        select(tables.SupportMeasure).where(col(tables.SupportMeasure.id).in_(ids))
    )
    return {row.id: row for row in rows}


async def ended_marker(session: AsyncSession, list_id: int) -> tuple[object, ...]:
    """Changes whenever a certificate in the list ends: how many have, and the latest end."""
    c = tables.Certificate
    row = (
        await session.exec(
            select(func.count(), func.max(col(c.ended_at))).where(
                c.status_list_id == list_id, c.status != CertificateStatus.VALID.value
            )
        )
    ).one()
    return tuple(row)


def _reaching(scope: FeedScope, now: datetime) -> list[Any]:
    """The conditions under which a notice reaches a resident's feed."""
    n = tables.Notice
    conditions: list[Any] = [
        col(n.municipality_code).in_(scope.places),
        or_(
            col(n.audience) == NoticeAudience.ALL.value,
            col(n.municipality_code).in_(scope.premium_places),
        ),
        or_(col(n.ends_at).is_(None), col(n.ends_at) > now),
    ]
    if scope.interests:
        conditions.append(
            or_(col(n.interest_mask) == 0, col(n.interest_mask).op("&")(scope.interests) != 0)
        )
    return conditions


async def feed(
    session: AsyncSession, scope: FeedScope, now: datetime, first: int, after: Cursor | None
) -> Page[tables.Notice]:
    """The notices that reach a resident, newest first; those whose end has passed are gone."""
    n = tables.Notice
    if not scope.places:
        return Page([], 0, False)
    conditions = _reaching(scope, now)
    total = (await session.exec(select(func.count()).select_from(n).where(*conditions))).one()
    statement = select(n).where(*conditions)
    if after is not None:
        statement = statement.where(tuple_(col(n.published_at), col(n.id)) < tuple_(*after))
    statement = statement.order_by(col(n.published_at).desc(), col(n.id).desc()).limit(first + 1)
    rows = list(await session.exec(statement))
    return Page(rows[:first], total, len(rows) > first)


async def events_after(
    session: AsyncSession, stream_code: str, after: int, up_to: int | None, limit: int
) -> list[tables.MunicipalEvent]:
    """A stream's events after a sequence number (up to another, if given), in order."""
    e = tables.MunicipalEvent
    statement = select(e).where(e.stream_code == stream_code, col(e.seq) > after)
    if up_to is not None:
        statement = statement.where(col(e.seq) <= up_to)
    return list(await session.exec(statement.order_by(col(e.seq)).limit(limit)))


async def last_event(session: AsyncSession, stream_code: str) -> int:
    found = (
        await session.exec(
            select(tables.EventStream.last_seq).where(tables.EventStream.code == stream_code)
        )
    ).first()
    return int(found or 0)


async def stream_heads(session: AsyncSession) -> dict[str, int]:
    """Every stream's last sequence number: one small read tells a poller which of its
    streams moved, however many it follows."""
    s = tables.EventStream
    rows = await session.exec(select(s.code, s.last_seq).where(col(s.last_seq) > 0))
    return dict(rows.all())


async def notice_reaching(
    session: AsyncSession, notice_id: uuid.UUID, scope: FeedScope, now: datetime
) -> tables.Notice | None:
    """The notice, if it reaches a resident with this scope."""
    if not scope.places:
        return None
    statement = select(tables.Notice).where(tables.Notice.id == notice_id, *_reaching(scope, now))
    return (await session.exec(statement)).first()


def _figures_since(since: date) -> ColumnElement[bool]:
    """Daily counts (new registrations) only as far back as asked: they pile up day by day."""
    figure = col(tables.Tally.figure)
    return or_(
        not_(figure.startswith(f"{Flow.REGISTERED_ON}:")),
        figure >= daily_figure(since),
    )


async def figures(
    session: AsyncSession, scopes: Sequence[str] | None, since: date
) -> dict[str, dict[str, int]]:
    """The kept figures of scopes (places' codes, or the nation's), their parts summed; of
    every scope that has any when `scopes` is None."""
    t = tables.Tally
    statement = select(t.scope, t.figure, func.sum(t.count)).where(_figures_since(since))
    if scopes is not None:
        statement = statement.where(col(t.scope).in_(scopes))
    rows = await session.exec(statement.group_by(col(t.scope), col(t.figure)))
    found: dict[str, dict[str, int]] = {scope: {} for scope in scopes or ()}
    for scope, figure, count in rows:
        if count:
            found.setdefault(scope, {})[figure] = int(count)
    return found


@dataclass(frozen=True)
class Published:
    cells: dict[str, int | None]
    published_at: datetime | None


NOT_YET_PUBLISHED = Published({}, None)


async def published(session: AsyncSession, scopes: Sequence[str]) -> dict[str, Published]:
    """The figures of scopes as last published; a scope without any has none to publish, or
    nothing has been published yet (then `published_at` is None everywhere)."""
    p = tables.PublishedFigures
    rows = (await session.exec(select(p).where(col(p.scope).in_([*scopes, NATION])))).all()
    found = {row.scope: Published(row.cells, row.published_at) for row in rows}
    nation = found.get(NATION, NOT_YET_PUBLISHED)
    return {scope: found.get(scope, Published({}, nation.published_at)) for scope in scopes}


async def participating_municipalities(session: AsyncSession, today: date) -> int:
    p = tables.Participation
    statement = select(func.count()).where(
        col(p.starts_on) <= today,
        col(p.municipality_code).not_in(municipality_code.PREFECTURES),
    )
    return int((await session.exec(statement)).one())


async def audit_trail(
    session: AsyncSession, code: str, first: int, before: int | None
) -> Page[tables.AuditEntry]:
    """A place's audit entries, newest first; `before`: the id of the last one already seen."""
    e = tables.AuditEntry
    of_place = col(e.municipality_code) == code
    total = (await session.exec(select(func.count()).where(of_place))).one()
    statement = select(e).where(of_place)
    if before is not None:
        statement = statement.where(col(e.id) < before)
    rows = list((await session.exec(statement.order_by(col(e.id).desc()).limit(first + 1))).all())
    return Page(rows[:first], int(total), len(rows) > first)


async def audit_entries(
    session: AsyncSession, code: str | None, since: datetime | None, after: int, batch: int
) -> list[tables.AuditEntry]:
    """Entries oldest first, for inspectors: of one place or all, from a time on."""
    e = tables.AuditEntry
    statement = select(e).where(col(e.id) > after)
    if code is not None:
        statement = statement.where(col(e.municipality_code) == code)
    if since is not None:
        statement = statement.where(col(e.at) >= since)
    return list((await session.exec(statement.order_by(col(e.id)).limit(batch))).all())


async def import_jobs_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.ImportJob]:
    rows = await session.exec(select(tables.ImportJob).where(col(tables.ImportJob.id).in_(ids)))
    return {row.id: row for row in rows}


async def import_jobs(
    session: AsyncSession, code: str, first: int, after: tuple[datetime, uuid.UUID] | None
) -> Page[tables.ImportJob]:
    """A place's imports, newest first; `after`: (started_at, id) of the last one seen."""
    j = tables.ImportJob
    of_place = col(j.municipality_code) == code
    total = (await session.exec(select(func.count()).where(of_place))).one()
    statement = select(j).where(of_place)
    if after is not None:
        statement = statement.where(tuple_(col(j.started_at), col(j.id)) < tuple_(*after))
    ordered = statement.order_by(col(j.started_at).desc(), col(j.id).desc()).limit(first + 1)
    rows = list((await session.exec(ordered)).all())
    return Page(rows[:first], int(total), len(rows) > first)


async def import_rejections(
    session: AsyncSession, job_id: uuid.UUID, first: int, after_line: int | None
) -> Page[tables.ImportRejection]:
    """The rows a job turned away, in the order of its file."""
    r = tables.ImportRejection
    of_job = col(r.job_id) == job_id
    total = (await session.exec(select(func.count()).where(of_job))).one()
    statement = select(r).where(of_job)
    if after_line is not None:
        statement = statement.where(col(r.line) > after_line)
    rows = list((await session.exec(statement.order_by(col(r.line)).limit(first + 1))).all())
    return Page(rows[:first], int(total), len(rows) > first)


@dataclass(frozen=True)
class ExportedRegistrant:
    registration: tables.Registration
    resident: tables.Resident
    # The municipality's own key, for a registrant its list brought in.
    external_id: str | None


async def registrants_for_export(session: AsyncSession, code: str) -> list[ExportedRegistrant]:
    """A place's active registrations with their people, oldest first: a prefecture's list
    includes its municipalities' registrants, as on the dashboard."""
    r, p, k = tables.Registration, tables.Resident, tables.ImportRecord
    place = r.prefecture_code if municipality_code.is_prefecture(code) else r.municipality_code
    statement = (
        sql_select(r, p, col(k.external_id))
        .join(p, col(p.id) == col(r.resident_id))
        .outerjoin(
            k,
            and_(
                col(k.record_id) == col(r.id),
                col(k.municipality_code) == col(r.municipality_code),
                col(k.kind) == ImportKind.REGISTRATIONS.value,
            ),
        )
        .where(col(place) == code, col(r.status) == RegistrationStatus.ACTIVE.value)
        .order_by(col(r.registered_at), col(r.id))
    )
    # SQLModel's exec has no overload for three entities; it runs any select all the same.
    rows = await session.exec(statement)  # type: ignore[call-overload]
    return [ExportedRegistrant(registration, resident, key) for registration, resident, key in rows]


async def certificate_tokens(
    session: AsyncSession, certificate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tables.CertificateToken]:
    """The tokens kept for these certificates (persistence/certificate_tokens.py)."""
    rows = await session.exec(
        select(tables.CertificateToken).where(
            col(tables.CertificateToken.certificate_id).in_(certificate_ids)
        )
    )
    return {row.certificate_id: row for row in rows}
