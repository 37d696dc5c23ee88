"""Migrations are the only way the schema changes: they match the models on each backend,
and they go down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

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
        reason = await migrate.pending_reason(database)
        assert reason is not None
        assert "master data" in reason
        await migrate.load_master_data(database)
        assert await migrate.pending_reason(database) is None
    finally:
        await database.dispose()


async def test_records_made_before_a_revision_are_carried_into_it(tmp_path: Path) -> None:
    """Certificates issued before status lists get places in them; registrations made before
    the figures count in them."""
    url = f"sqlite+aiosqlite:///{tmp_path}/backfill.db"
    command.upgrade(migrate.alembic_config(url), "0001")
    database = connect(url)
    try:
        async with database.write_engine.begin() as connection:
            for statement in (
                "INSERT INTO municipality VALUES"
                " ('200000', '長野県', 'ながのけん', 'PREFECTURE', '200000', 36.6, 138.1),"
                " ('204854', '白馬村', 'はくばむら', 'VILLAGE', '200000', 36.6, 137.8)",
                "INSERT INTO resident (id, subject, interests, identity_verified, created_at)"
                " VALUES ('00000000000000000000000000000001', 's', '[]', 0, '2027-01-01')",
                "INSERT INTO registration (id, resident_id, municipality_code, prefecture_code,"
                " relationship, interests, tier, status, registered_at) VALUES"
                " ('00000000000000000000000000000002', '00000000000000000000000000000001',"
                " '204854', '200000', 'OTHER', '[]', 'BASIC', 'ACTIVE', '2027-01-01')",
                "INSERT INTO certificate (id, registration_id, serial_number, tier, status,"
                " issued_at) VALUES ('00000000000000000000000000000003',"
                " '00000000000000000000000000000002', 'FR-0000-0000-0001', 'BASIC', 'VALID',"
                " '2027-01-01')",
            ):
                await connection.execute(text(statement))
        migrate.upgrade(url)
        async with database.read_engine.connect() as connection:
            placed = (
                await connection.execute(
                    text("SELECT status_list_id, status_index FROM certificate")
                )
            ).all()
            counted = (
                await connection.execute(
                    text(
                        "SELECT scope, SUM(count) FROM tally WHERE figure = 'persons'"
                        " GROUP BY scope ORDER BY scope"
                    )
                )
            ).all()
            members = (await connection.execute(text("SELECT scope FROM tally_member"))).all()
            of_one_place = (
                await connection.execute(
                    text("SELECT scope FROM tally WHERE figure = 'places:1' ORDER BY scope")
                )
            ).all()
        assert len(placed) == 1
        assert placed[0][0] == 1
        assert 0 <= placed[0][1] < 131072
        assert [tuple(row) for row in counted] == [("200000", 1), ("204854", 1), ("JP", 1)]
        assert sorted(row[0] for row in members) == ["200000", "JP"]
        assert [row[0] for row in of_one_place] == ["200000", "204854", "JP"]
    finally:
        await database.dispose()
