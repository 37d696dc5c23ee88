"""Connections for single statements sent straight through psycopg, without SQLAlchemy: the
compiled operations' (persistence/operation_reads.py). SQLAlchemy's async adaptation costs
about as much CPU as such a statement itself (a checkout and an execute measured at 190 us
against 60 us for the same SELECT 1 from a psycopg pool)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

# How long a statement waits for a connection: with the database away, a request fails over
# to ordinary execution (which answers UNAVAILABLE) instead of hanging.
CONNECTION_TIMEOUT_SECONDS = 1.0


class StatementPool:
    """Autocommit connections to one PostgreSQL database, opened on first use (a pool opens
    in the event loop that uses it)."""

    def __init__(self, conninfo: str, max_size: int) -> None:
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            timeout=CONNECTION_TIMEOUT_SECONDS,
            open=False,
        )
        self._opened = False
        self._opening = asyncio.Lock()

    async def fetch_one(
        self, statement: str, parameters: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """The first row a statement returns, if any; the statement is its own transaction."""
        if not self._opened:
            async with self._opening:
                if not self._opened:
                    await self._pool.open(wait=False)
                    self._opened = True
        async with self._pool.connection() as connection:
            cursor = await connection.execute(statement, parameters)
            row = await cursor.fetchone()
        return None if row is None else tuple(row)

    async def close(self) -> None:
        if self._opened:
            await self._pool.close()
