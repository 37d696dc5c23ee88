"""Engines for the embedded SQLite default and for PostgreSQL, behind one async code path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from persistence.statements import StatementPool

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> URL:
    """Accept the URLs people write (postgresql://, sqlite:///) and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed


@dataclass(frozen=True)
class Database:
    """Where reads and writes go. On SQLite writers take the lock up front (BEGIN IMMEDIATE)
    so that two writing transactions queue instead of failing half-way."""

    url: URL
    read_engine: AsyncEngine
    write_engine: AsyncEngine
    # PostgreSQL: connections for the compiled operations' single statements.
    statements: StatementPool | None = None

    async def dispose(self) -> None:
        if self.statements is not None:
            await self.statements.close()
        await self.write_engine.dispose()
        if self.read_engine.sync_engine.pool is not self.write_engine.sync_engine.pool:
            await self.read_engine.dispose()


def connect(
    url: str, *, pool_size: int = 20, echo: bool = False, foreign_keys: bool = True
) -> Database:
    """`foreign_keys=False` is for migrations alone: SQLite rebuilds a table to alter it, and
    would refuse to drop the old one while rows elsewhere refer to it."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Database(
            parsed,
            _sqlite_engine(parsed, "BEGIN", foreign_keys),
            _sqlite_engine(parsed, "BEGIN IMMEDIATE", foreign_keys),
        )
    engine = create_async_engine(
        parsed,
        pool_size=pool_size,
        # Connections beyond the pool serve a burst and are closed when returned.
        max_overflow=max(pool_size // 2, 1),
        # No ping before each use (a round trip per checkout, three or more a request): a
        # connection found broken fails its request with UNAVAILABLE, and the error invalidates
        # every connection the pool held then, so the next requests reconnect.
        pool_pre_ping=False,
        echo=echo,
    )
    # Reads run without BEGIN and ROLLBACK around them, two round trips fewer each. Under READ
    # COMMITTED every statement takes its own snapshot anyway, inside a transaction or not;
    # nothing that writes uses this engine.
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return Database(parsed, reads, engine, StatementPool(conninfo, max_size=pool_size))


def _sqlite_engine(url: URL, begin: str, foreign_keys: bool) -> AsyncEngine:
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN, instead of the driver's own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def unreachable(error: BaseException | None) -> bool:
    """Whether a failure is the database being away (or busy beyond a retry), not a fault of
    the request or of the code: the caller may simply try again shortly. (psycopg's own
    errors are those of the statements sent without SQLAlchemy; a pool's timeout is one.)"""
    return isinstance(
        error,
        OperationalError
        | InterfaceError
        | psycopg.OperationalError
        | psycopg.InterfaceError
        | ConnectionError
        | TimeoutError,
    )
