"""Faults against a running server on PostgreSQL: the database goes away under load and
comes back. Requests fail fast meanwhile (UNAVAILABLE: try again), /readyz says so within
two seconds, the service recovers by itself, nothing committed is lost, and a subscriber gets
every event. An import killed midway leaves nothing and runs again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from asyncio.subprocess import DEVNULL
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from edge.settings import Settings
from edge.tokens import LocalIssuer, TokenVerifier
from gateway import create_app
from persistence import tables
from persistence.database import Database, connect
from tests.contract import served
from tests.integration.conftest import AUDIENCE, ISSUER, Platform
from tests.integration.processes import Outage, serving
from tests.integration.steps import HAKUBA
from tests.integration.test_subscriptions import connect as subscriber
from tests.integration.test_subscriptions import subscribe

pytestmark = pytest.mark.database

FURUSATO = Path(sys.executable).parent / "furusato"
# Enough rows that the import is still writing them half a second after it starts.
ROWS = 20_000


async def _wait_for(http: httpx.AsyncClient, status: int, within: float) -> float:
    """Seconds until /readyz answers `status`."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if (await http.get("/readyz")).status_code == status:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"/readyz did not answer {status} within {within} s")


async def test_the_database_goes_away_and_comes_back(
    platform: Platform, database: Database, issuer: LocalIssuer
) -> None:
    if database.url.get_backend_name() != "postgresql":
        pytest.skip("the embedded database does not go away")
    url = database.url
    outage = Outage(url.host or "127.0.0.1", url.port or 5432)
    await outage.restore()
    through = connect(
        url.set(host="127.0.0.1", port=outage.port).render_as_string(hide_password=False)
    )
    app = create_app(
        Settings(token_issuer=ISSUER, token_audience=AUDIENCE),
        database=through,
        clock=platform.clock,
        verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE, local_key=issuer.key.public_key()),
        issuer=platform.certificate_issuer,
    )
    operator = issuer.mint({"sub": "operator", "role": "operator"}, 600)
    staff = issuer.mint({"sub": "staff", "role": "staff", "municipality": HAKUBA}, 600)
    today = platform.clock.now().date().isoformat()
    try:
        async with (
            serving(app, lifespan="on") as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):

            async def register(person: str) -> httpx.Response:
                token = issuer.mint({"sub": person, "role": "resident"}, 600)
                variables = {"input": {"municipalityCode": HAKUBA, "relationship": "TOURISM"}}
                return await http.post(
                    "/graphql",
                    json={"query": served("Register"), "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )

            joined = await http.post(
                "/graphql",
                json={
                    "query": served("JoinPlatform"),
                    "variables": {
                        "input": {"municipalityCode": HAKUBA, "agreedOn": today, "startsOn": today}
                    },
                },
                headers={"Authorization": f"Bearer {operator}"},
            )
            assert joined.json()["data"]["joinPlatform"]["errors"] == []
            watcher = await subscriber(f"ws://127.0.0.1:{port}/graphql", staff)
            await subscribe(watcher, HAKUBA)
            await asyncio.sleep(0.3)
            assert (await register("before")).json()["data"]["register"]["errors"] == []

            async def my_profile() -> httpx.Response:
                # Compiled: its statement goes through a pool of its own (statements.py).
                token = issuer.mint({"sub": "before", "role": "resident"}, 600)
                return await http.post(
                    "/graphql",
                    json={"query": served("MyProfile")},
                    headers={"Authorization": f"Bearer {token}"},
                )

            assert len((await my_profile()).json()["data"]["me"]["registrations"]) == 1

            await outage.cut()
            assert await _wait_for(http, 503, within=2.0) < 2.0
            started = time.monotonic()
            failed = await register("during")
            assert time.monotonic() - started < 2.0, "a request fails fast, it does not hang"
            assert failed.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            started = time.monotonic()
            failed = await my_profile()
            assert time.monotonic() - started < 2.0, "a compiled read fails fast too"
            assert failed.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"

            await outage.restore()
            await _wait_for(http, 200, within=10.0)
            assert (await register("after")).json()["data"]["register"]["errors"] == []
            assert len((await my_profile()).json()["data"]["me"]["registrations"]) == 1
            events = await asyncio.wait_for(watcher.events(4), 10)
            assert [e["type"] for e in events] == ["REGISTERED", "CERTIFICATE_ISSUED"] * 2
            await watcher.connection.close()
    finally:
        await outage.cut()
        await through.dispose()
    async with database.read_engine.connect() as connection:
        kept = await connection.scalar(select(func.count()).select_from(tables.Registration))
    assert kept == 2, "the registration committed before the outage is there, and the one after"


async def test_an_import_killed_midway_leaves_nothing_and_runs_again(
    database: Database, tmp_path: Path
) -> None:
    if database.url.get_backend_name() != "postgresql":
        pytest.skip("a second process on the embedded database would wait for its lock")
    env = {
        **os.environ,
        "FURUSATO_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "FURUSATO_VAR_DIR": str(tmp_path),
    }
    listed = tmp_path / "list.csv"
    rows = "".join(f"K-{n},観光,2026-05-01\r\n" for n in range(ROWS))
    listed.write_text("外部ID,関係,登録日\r\n" + rows, encoding="utf-8")

    async def furusato(*arguments: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            str(FURUSATO), *arguments, env=env, stdout=DEVNULL, stderr=DEVNULL
        )

    joined = await furusato(
        "join", HAKUBA, "--agreed-on", "2026-01-01", "--starts-on", "2026-01-01"
    )
    assert await joined.wait() == 0
    importing = ("import", "registrations", str(listed), "--municipality", HAKUBA)
    killed = await furusato(*importing)
    # Until its rows are being written: the job is on record, its rows are not committed.
    async with database.read_engine.connect() as connection:
        for _ in range(300):
            if await connection.scalar(select(func.count()).select_from(tables.ImportJob)):
                break
            await asyncio.sleep(0.05)
            await connection.commit()
    await asyncio.sleep(0.5)
    killed.kill()
    assert await killed.wait() == -signal.SIGKILL

    async with database.read_engine.connect() as connection:
        status = await connection.scalar(select(col(tables.ImportJob.status)))
        written = await connection.scalar(select(func.count()).select_from(tables.Registration))
    assert (status, written) == ("RUNNING", 0), "an interrupted import stays on record, unwritten"
    again = await furusato(*importing)
    assert await asyncio.wait_for(again.wait(), 120) == 0
    async with database.read_engine.connect() as connection:
        written = await connection.scalar(select(func.count()).select_from(tables.Registration))
        records = await connection.scalar(select(func.count()).select_from(tables.ImportRecord))
    assert (written, records) == (ROWS, ROWS)
