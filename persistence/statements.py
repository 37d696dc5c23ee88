"""Connections for single statements sent straight through psycopg, without SQLAlchemy: the
compiled operations' (persistence/operation_reads.py). SQLAlchemy's async adaptation costs
about as much CPU as such a statement itself (a checkout and an execute measured at 190 us
against 60 us for the same SELECT 1 from a psycopg pool)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool

# How long a statement waits for a connection: with the database away, a request fails over
# to ordinary execution (which answers UNAVAILABLE) instead of hanging.
CONNECTION_TIMEOUT_SECONDS = 1.0

Pool = AsyncConnectionPool[AsyncConnection[Any]]


async def _configure(connection: AsyncConnection[Any]) -> None:
    """The statements return their rows' parts as JSON: read by orjson, several times faster
    than the standard library's json for the same values."""
    set_json_loads(orjson.loads, connection)


class StatementPool:
    """Autocommit connections to one PostgreSQL database. The pool is made and opened on first
    use, in the event loop that uses it, and made anew after `close`."""

    def __init__(self, conninfo: str, max_size: int) -> None:
        self._conninfo = conninfo
        self._max_size = max_size
        self._pool: Pool | None = None
        self._opened: asyncio.Future[None] | None = None

    async def _ready(self) -> Pool:
        if self._pool is None or self._opened is None:
            self._pool = AsyncConnectionPool(
                self._conninfo,
                min_size=1,
                max_size=self._max_size,
                kwargs={"autocommit": True},
                configure=_configure,
                timeout=CONNECTION_TIMEOUT_SECONDS,
                open=False,
            )
            # Every statement that arrives while it opens waits for the same opening.
            self._opened = asyncio.ensure_future(self._pool.open(wait=False))
        await self._opened
        return self._pool

    async def fetch_one(
        self, statement: str, parameters: Mapping[str, Any], *, binary: bool = False
    ) -> tuple[Any, ...] | None:
        """The first row a statement returns, if any; the statement is its own transaction.
        `binary`: the row in PostgreSQL's binary format, so that a bytea travels as its bytes
        (in text format the server writes it in hex, twice as long, for psycopg to decode)."""
        pool = await self._ready()
        # Taken and given back by hand: pool.connection()'s context managers (its own and the
        # connection's, which ends a transaction these autocommit connections never open)
        # cost 7 of the 51 us a statement took here.
        connection = await pool.getconn()
        try:
            cursor = await connection.execute(statement, parameters, binary=binary)
            row = await cursor.fetchone()
        finally:
            await pool.putconn(connection)
        return None if row is None else tuple(row)

    async def close(self) -> None:
        pool, opened = self._pool, self._opened
        self._pool = self._opened = None
        if pool is not None and opened is not None:
            await opened
            await pool.close()
