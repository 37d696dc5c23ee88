"""Many rows at once: COPY on PostgreSQL, batched INSERTs on SQLite, in the caller's
transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

SQLITE_BATCH = 10_000


def table(name: str) -> Table:
    found: Table = SQLModel.metadata.tables[name]
    return found


async def copy(
    connection: AsyncConnection,
    target: str | Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Add `rows` (values in the order of `columns`; lists are JSON columns) to a table of
    the schema, by name, or to another (a temporary one)."""
    if not rows:
        return
    into = table(target) if isinstance(target, str) else target
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = rows[start : start + SQLITE_BATCH]
            await connection.execute(
                insert(into), [dict(zip(columns, row, strict=True)) for row in batch]
            )
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    statement = f"COPY {into.name} ({', '.join(columns)}) FROM STDIN"
    async with driver.cursor() as cursor, cursor.copy(statement) as copying:
        for row in rows:
            await copying.write_row([json.dumps(v) if isinstance(v, list) else v for v in row])


async def empty(connection: AsyncConnection, scratch: Table) -> None:
    """Empty a scratch (temporary) table for its next batch: TRUNCATE on PostgreSQL, where
    DELETE would leave its dead rows for every later batch to read past."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text(f"TRUNCATE {scratch.name}"))
    else:
        await connection.execute(delete(scratch))
