"""Many rows at once: COPY on PostgreSQL, batched INSERTs on SQLite, in the caller's
transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

SQLITE_BATCH = 10_000


def table(name: str) -> Table:
    found: Table = SQLModel.metadata.tables[name]
    return found


async def copy(
    connection: AsyncConnection,
    name: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Add `rows` (values in the order of `columns`; lists are JSON columns) to table `name`."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = rows[start : start + SQLITE_BATCH]
            await connection.execute(
                insert(table(name)), [dict(zip(columns, row, strict=True)) for row in batch]
            )
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
    async with driver.cursor() as cursor, cursor.copy(statement) as copying:
        for row in rows:
            await copying.write_row([json.dumps(v) if isinstance(v, list) else v for v in row])
