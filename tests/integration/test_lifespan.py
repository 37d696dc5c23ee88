"""The server's own start: it refuses an unmigrated database, and sweeps lapsed premium."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.clock import FixedClock
from edge.settings import Settings
from gateway import create_app
from persistence import tables
from persistence.database import Database, connect
from tests.integration.conftest import Api
from tests.integration.steps import CHIYODA, HAKUBA, become_premium, join, register, set_home

pytestmark = pytest.mark.database


async def test_serving_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    database = connect(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    app = create_app(Settings(var_dir=tmp_path), database=database)
    try:
        with pytest.raises(RuntimeError, match="run `furusato migrate` first"):
            async with app.router.lifespan_context(app):
                pass
    finally:
        await database.dispose()


async def test_the_running_server_lapses_premium_that_ran_out(
    api: Api, clock: FixedClock, database: Database, tmp_path: Path
) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    registration_id = await register(api, hanako, HAKUBA)
    await become_premium(api, clock, hanako, registration_id)
    clock.advance(timedelta(days=366))

    app = create_app(
        Settings(var_dir=tmp_path, lapse_interval_seconds=0.05), database=database, clock=clock
    )
    async with app.router.lifespan_context(app):
        for _ in range(100):
            certificates = (await api.op("MyProfile", token=hanako))["data"]["me"]["registrations"][
                0
            ]
            if certificates["certificate"]["tier"] == "BASIC":
                break
            await asyncio.sleep(0.05)
    registration = (await api.op("MyProfile", token=hanako))["data"]["me"]["registrations"][0]
    assert (registration["tier"], registration["certificate"]["tier"]) == ("BASIC", "BASIC")
    assert registration["certificate"]["status"] == "VALID"


async def test_a_worker_publishes_the_figures_in_a_process_of_their_own(
    api: Api, clock: FixedClock, database: Database, tmp_path: Path
) -> None:
    await join(api, HAKUBA, clock)
    await register(api, api.resident(), HAKUBA)
    app = create_app(Settings(var_dir=tmp_path, publish_apart=True), database=database, clock=clock)
    async with app.router.lifespan_context(app):
        for _ in range(300):
            async with AsyncSession(database.read_engine) as session:
                published = (await session.exec(select(tables.PublishedFigures))).all()
            if published:
                break
            await asyncio.sleep(0.05)
    assert {"JP", HAKUBA, "200000"} <= {row.scope for row in published}
    # Made by the process started for it, on the system clock, not the worker's test clock.
    assert abs(published[0].published_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert published[0].published_at != clock.now()
