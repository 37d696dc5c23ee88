"""The reads of personal data one request makes, written to the audit log together: a
prefecture's staff listing eighty municipalities' registrants is one statement, not eighty."""

from __future__ import annotations

from aiodataloader import DataLoader

from persistence import audit
from persistence.audit import Audit
from persistence.database import Database

Read = tuple[str | None, tuple[str, ...]]


class AuditedReadWriter(DataLoader[Read, None]):
    """`load((place, records))` returns once the read is committed to the log."""

    def __init__(self, database: Database, who: Audit) -> None:
        # Every read is written, the same one twice included: nothing is cached.
        super().__init__(cache=False)
        self._database = database
        self._audit = who

    async def batch_load_fn(self, reads: list[Read]) -> list[None]:
        await audit.write_reads(self._database, self._audit, reads)
        return [None] * len(reads)
