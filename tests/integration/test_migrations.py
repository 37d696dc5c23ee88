"""Migrations are the only way the schema changes: they match the models on each backend,
and they go down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from persistence import migrate
from persistence.database import Database, connect

pytestmark = pytest.mark.database


def test_the_migrations_match_the_models(database: Database) -> None:
    # Raises when autogenerate would find anything to change.
    command.check(migrate.alembic_config(database.url.render_as_string(hide_password=False)))


async def test_down_to_nothing_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cycle.db"
    migrate.upgrade(url)
    command.downgrade(migrate.alembic_config(url), "base")
    database = connect(url)
    try:
        assert await migrate.pending_reason(database) is not None
        migrate.upgrade(url)
        assert await migrate.pending_reason(database) is None
    finally:
        await database.dispose()
