"""Writing the audit log: the records a transaction changed, noted as the session flushes
them and written in the same transaction; and reads of personal data, each in a transaction
of its own before the data goes out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import AuditKind, Who
from domain.clock import Clock, SystemClock
from persistence import tables
from persistence.database import Database

TOUCHED = "audit_touched"
# The column's width: a client may name its operation at any length.
OPERATION_MAX = 200
# The records a person or a place has; figures, outbox and status lists follow from them.
AUDITED_TABLES = frozenset(
    {
        "resident",
        "registration",
        "certificate",
        "activity",
        "support_measure",
        "notice",
        "participation",
        "premium_policy",
    }
)


@dataclass(frozen=True)
class Audit:
    """Who a unit of work acts for, in which operation, by which clock."""

    who: Who
    operation: str
    clock: Clock

    @classmethod
    def system(cls, job: str, clock: Clock | None = None) -> Audit:
        return cls(Who.system(job), f"system:{job}", clock or SystemClock())


def record_name(row: Any) -> str:
    key = inspect(row).mapper.primary_key_from_instance(row)
    return f"{row.__tablename__}:{','.join(str(part) for part in key)}"


def _note_flushed(session: Session, _context: object, _instances: object) -> None:
    touched: dict[str, str | None] = session.info.setdefault(TOUCHED, {})
    # Once: the session makes the set anew from all it holds each time it is asked.
    dirty = session.dirty
    for row in [*session.new, *dirty, *session.deleted]:
        if getattr(row, "__tablename__", None) not in AUDITED_TABLES:
            continue
        if row in dirty and not session.is_modified(row):
            continue
        touched[record_name(row)] = getattr(row, "municipality_code", None)


def note(session: AsyncSession, record: str, place: str | None) -> None:
    """A record written around the ORM (in bulk), for the entry of this transaction."""
    touched: dict[str, str | None] = session.info.setdefault(TOUCHED, {})
    touched[record] = place


def watch(session: AsyncSession) -> None:
    """Notes every audited record the session writes, from now on."""
    event.listen(session.sync_session, "before_flush", _note_flushed)


def _entries(
    audit: Audit, kind: AuditKind, places: Iterable[str | None], records: Sequence[str]
) -> list[dict[str, Any]]:
    """One entry per place the records belong to, so that each place's trail has it."""
    at = audit.clock.now()
    return [
        {
            "at": at,
            "kind": kind.value,
            "subject": audit.who.subject,
            "role": audit.who.role,
            "acting_for": audit.who.municipality_code,
            "operation": audit.operation[:OPERATION_MAX],
            "municipality_code": place,
            "records": sorted(records),
        }
        for place in sorted(set(places), key=lambda place: place or "")
    ]


async def write_changes(session: AsyncSession, audit: Audit) -> None:
    """The entry of what this transaction changed, if it changed any record."""
    await session.flush()
    touched: dict[str, str | None] = session.info.pop(TOUCHED, {})
    if not touched:
        return
    places: set[str | None] = {place for place in touched.values() if place}
    entries = _entries(audit, AuditKind.CHANGE, places or {None}, list(touched))
    connection = await session.connection()
    await connection.execute(insert(tables.AuditEntry.__table__), entries)  # type: ignore[attr-defined]


def forget(session: AsyncSession) -> None:
    session.info.pop(TOUCHED, None)


def read_entry(audit: Audit, place: str | None) -> dict[str, Any]:
    """The columns of the entry of a read of a place's records, but the records: for a
    statement that reads them and writes the entry at once (persistence/operation_reads.py)."""
    (entry,) = _entries(audit, AuditKind.READ, [place], [])
    del entry["records"]
    return entry


async def write_reads(
    database: Database, audit: Audit, reads: Sequence[tuple[str | None, Sequence[str]]]
) -> None:
    """Reads of personal data (place, records), committed together before the data is sent."""
    entries = [
        entry
        for place, records in reads
        for entry in _entries(audit, AuditKind.READ, [place], records)
    ]
    async with database.write_engine.begin() as connection:
        await connection.execute(insert(tables.AuditEntry.__table__), entries)  # type: ignore[attr-defined]
