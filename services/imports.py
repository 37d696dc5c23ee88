"""Importing a municipality's list: the job is written first, in a transaction of its own, so
that an import that is interrupted stays on record as RUNNING; its rows are then merged in
one transaction, which a failure rolls back whole (the job then says FAILED and why)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from domain.clock import Clock, japan_date
from domain.errors import Problem, Refusal
from domain.imports import (
    ActivityRow,
    BadLayout,
    Cell,
    ImportJob,
    ImportKind,
    RegistrantRow,
    Rejection,
    RowChecker,
    RowOutcome,
    check_can_import,
    column_positions,
    registrant_of,
    start_import,
)
from domain.places import unknown_place
from services.unit_of_work import UnitOfWork

# Rows written at a time: memory stays flat however long the file.
BATCH = 20_000

# Told of every row as it is decided: line, key, outcome, reasons.
RowReport = Callable[[int, str | None, RowOutcome, tuple[Problem, ...]], None]


@dataclass(frozen=True)
class ListFile:
    """A file's header row and its other rows, numbered as a spreadsheet shows them."""

    name: str
    header: Sequence[Cell]
    rows: Iterable[tuple[int, Sequence[Cell]]]


def _ignore(_line: int, _key: str | None, _outcome: RowOutcome, _why: tuple[Problem, ...]) -> None:
    return None


async def import_list(
    uow: UnitOfWork,
    clock: Clock,
    started_by: str,
    kind: ImportKind,
    municipality_code: str,
    source: ListFile,
    report: RowReport = _ignore,
) -> tuple[ImportJob, list[Rejection]]:
    now = clock.now()
    async with uow:
        if not await uow.places.exists(municipality_code):
            raise unknown_place()
        check_can_import(await uow.places.participation(municipality_code), japan_date(now))
        try:
            positions = column_positions(kind, source.header)
        except BadLayout as error:
            raise Refusal("BAD_LAYOUT", str(error), "file") from error
        checker = RowChecker(kind, positions, await uow.places.codes(), japan_date(now))
        job = start_import(municipality_code, kind, source.name, started_by, now)
        await uow.imports.add_job(job)
        await uow.commit()
    try:
        async with uow:
            await uow.imports.lock(job)
            rejections = await _merge(uow, job, checker, source.rows, report)
            job.finish(clock.now())
            await uow.imports.save_job(job, rejections)
            if job.changed_anything:
                await uow.imports.announce(job, clock.now())
            await uow.commit()
    except Exception as error:
        async with uow:
            # The first line only: a database error goes on with its statement and values.
            reason = str(error).splitlines()[0] if str(error) else ""
            job.fail(f"{type(error).__name__}: {reason}", clock.now())
            await uow.imports.save_job(job, [])
            await uow.commit()
        raise
    return job, rejections


class _Pending:
    """Rows decided but not written yet, written a batch at a time."""

    def __init__(self, uow: UnitOfWork, job: ImportJob) -> None:
        self.uow = uow
        self.job = job
        self._clear()

    def _clear(self) -> None:
        self.waiting = 0
        self.new_registrants: list[RegistrantRow] = []
        self.changed_registrants: list[RegistrantRow] = []
        self.new_activities: list[tuple[ActivityRow, uuid.UUID]] = []
        self.changed_activities: list[ActivityRow] = []

    def add(self, row: RegistrantRow | ActivityRow, resident: uuid.UUID | None, new: bool) -> None:
        """A registrant's person is made with them; an activity's is the registrant's."""
        self.waiting += 1
        if isinstance(row, RegistrantRow):
            (self.new_registrants if new else self.changed_registrants).append(row)
        elif not new:
            self.changed_activities.append(row)
        elif resident is not None:
            self.new_activities.append((row, resident))

    async def write(self) -> None:
        """Every row waiting."""
        imports, job = self.uow.imports, self.job
        # The municipality vouches for the activities its own records hold.
        now, reviewer = job.started_at, job.started_by
        await imports.add_registrants(job, self.new_registrants, now)
        await imports.update_registrants(job, self.changed_registrants)
        await imports.add_activities(job, self.new_activities, now, reviewer)
        await imports.update_activities(job, self.changed_activities)
        self._clear()


async def _merge(
    uow: UnitOfWork,
    job: ImportJob,
    checker: RowChecker,
    rows: Iterable[tuple[int, Sequence[Cell]]],
    report: RowReport,
) -> list[Rejection]:
    """Decide each row against the list as last imported, and write it."""
    imports, code = uow.imports, job.municipality_code
    fingerprints = await imports.fingerprints(code, job.kind)
    # An activity is of a registrant of the list, and stays with the one it was imported for.
    activities = job.kind is ImportKind.ACTIVITIES
    imported_for = await imports.people(code, job.kind) if activities else {}
    registrants = await imports.people(code, ImportKind.REGISTRATIONS) if activities else {}
    pending = _Pending(uow, job)
    rejections: list[Rejection] = []
    for line, cells in rows:
        checked = checker.check(line, cells)
        outcome = RowOutcome.REJECTED
        if not isinstance(checked, Rejection):
            before = fingerprints.get(checked.external_id)
            resident = (
                registrant_of(checked, registrants, imported_for.get(checked.external_id))
                if isinstance(checked, ActivityRow)
                else None
            )
            if isinstance(resident, Rejection):
                checked = resident
            elif before is None:
                outcome = RowOutcome.ACCEPTED
                pending.add(checked, resident, new=True)
            elif before == checked.fingerprint:
                outcome = RowOutcome.UNCHANGED
            else:
                outcome = RowOutcome.UPDATED
                pending.add(checked, resident, new=False)
        job.outcomes[outcome] += 1
        if isinstance(checked, Rejection):
            rejections.append(checked)
            report(line, checked.external_id, outcome, checked.problems)
        else:
            report(line, checked.external_id, outcome, ())
        if pending.waiting >= BATCH:
            await pending.write()
    await pending.write()
    return rejections
