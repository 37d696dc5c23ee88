"""The master data of places, read once per process: it changes only with `furusato migrate`,
and every operation that shows a place needs it."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence import tables
from persistence.database import Database


class MunicipalityDirectory:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._places: dict[str, tables.Municipality] | None = None
        self._lock = asyncio.Lock()

    async def places(self) -> dict[str, tables.Municipality]:
        if self._places is None:
            async with self._lock:
                if self._places is None:
                    async with AsyncSession(self._database.read_engine) as session:
                        rows = await session.exec(select(tables.Municipality))
                        self._places = {row.code: row for row in rows}
        return self._places
