"""Schema changes through Alembic only, and the check that the schema is current."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from persistence import master_data, tables
from persistence.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Percent signs in a password would read as interpolation to configparser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


@cache
def _expected_heads() -> frozenset[str]:
    """The heads of the migrations this code ships (read from disk once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def pending_reason(database: Database) -> str | None:
    """Why the database cannot be served yet, or None when its schema is at head."""
    expected = _expected_heads()
    async with database.read_engine.connect() as connection:
        current = await connection.run_sync(_current_heads)
    if not current:
        return "the database has no schema yet: run `furusato migrate` first"
    if current != expected:
        return (
            f"the database schema is at {sorted(current)}, the code expects {sorted(expected)}: "
            "run `furusato migrate`"
        )
    async with database.read_engine.connect() as connection:
        places = await connection.scalar(select(func.count()).select_from(tables.Municipality))
    if places != len(master_data.shipped()):
        return (
            f"the database holds {places} places of the {len(master_data.shipped())} in the "
            "master data: run `furusato migrate`"
        )
    return None


async def load_master_data(database: Database) -> int:
    async with database.write_engine.begin() as connection:
        return await master_data.load(connection)
