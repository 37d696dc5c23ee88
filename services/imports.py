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
        self.new_registrants: list[RegistrantRow] = []
        self.changed_registrants: list[RegistrantRow] = []
        self.new_activities: list[tuple[ActivityRow, uuid.UUID]] = []
        self.changed_activities: list[ActivityRow] = []

    def add(self, row: RegistrantRow | ActivityRow, resident: uuid.UUID | None, new: bool) -> None:
        """A registrant's person is made with them; an activity's is the registrant's."""
        if isinstance(row, RegistrantRow):
            (self.new_registrants if new else self.changed_registrants).append(row)
        elif not new:
            self.changed_activities.append(row)
        elif resident is not None:
            self.new_activities.append((row, resident))

    async def write(self, *, all_of_it: bool = False) -> None:
        imports, job = self.uow.imports, self.job
        # The municipality vouches for the activities its own records hold.
        now, reviewer = job.started_at, job.started_by
        if all_of_it or len(self.new_registrants) >= BATCH:
            await imports.add_registrants(job, self.new_registrants, now)
            self.new_registrants = []
        if all_of_it or len(self.changed_registrants) >= BATCH:
            await imports.update_registrants(job, self.changed_registrants)
            self.changed_registrants = []
        if all_of_it or len(self.new_activities) >= BATCH:
            await imports.add_activities(job, self.new_activities, now, reviewer)
            self.new_activities = []
        if all_of_it or len(self.changed_activities) >= BATCH:
            await imports.update_activities(job, self.changed_activities)
            self.changed_activities = []


async def _merge(
    uow: UnitOfWork,
    job: ImportJob,
    checker: RowChecker,
    rows: Iterable[tuple[int, Sequence[Cell]]],
    report: RowReport,
) -> list[Rejection]:
    """Decide each row against the list as last imported, and write it."""
    known = await uow.imports.known(job.municipality_code, job.kind)
    registrants_known = (
        known
        if job.kind is ImportKind.REGISTRATIONS
        else await uow.imports.known(job.municipality_code, ImportKind.REGISTRATIONS)
    )
    registrants = {key: resident for key, (_, resident) in registrants_known.items()}
    pending = _Pending(uow, job)
    rejections: list[Rejection] = []
    for line, cells in rows:
        checked = checker.check(line, cells)
        outcome = RowOutcome.REJECTED
        if not isinstance(checked, Rejection):
            before = known.get(checked.external_id)
            resident = (
                registrant_of(checked, registrants, before[1] if before else None)
                if isinstance(checked, ActivityRow)
                else None
            )
            if isinstance(resident, Rejection):
                checked = resident
            elif before is None:
                outcome = RowOutcome.ACCEPTED
                pending.add(checked, resident, new=True)
            elif before[0] == checked.fingerprint:
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
        await pending.write()
    await pending.write(all_of_it=True)
    return rejections
