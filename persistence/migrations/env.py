"""Alembic's entry: runs migrations on the async engines, SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import persistence.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from persistence.database import connect

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from edge.settings import Settings

    return Settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys were off while tables were rebuilt: make sure none was broken.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


async def _run_online() -> None:
    database = connect(_url(), foreign_keys=False)
    try:
        async with database.write_engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `furusato migrate`")
# A thread of its own, so that callers inside an event loop (tests, the CLI) can migrate too.
with ThreadPoolExecutor(max_workers=1) as pool:
    pool.submit(asyncio.run, _run_online()).result()
