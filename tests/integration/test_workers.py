"""Two worker processes of `furusato serve`: an event committed through either reaches a
subscriber on either, because both read the one outbox."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edge.settings import Settings
from edge.tokens import LocalIssuer, load_or_create_key
from persistence.database import Database
from tests.contract import served
from tests.integration.processes import free_port
from tests.integration.test_subscriptions import connect, subscribe

pytestmark = pytest.mark.database

FURUSATO = Path(sys.executable).parent / "furusato"


@pytest.fixture
async def workers(database: Database, tmp_path: Path) -> AsyncIterator[tuple[str, LocalIssuer]]:
    env = {
        **os.environ,
        "FURUSATO_DATABASE_URL": database.url.render_as_string(hide_password=False),
        "FURUSATO_VAR_DIR": str(tmp_path),
    }
    settings = Settings(var_dir=tmp_path)
    issuer = LocalIssuer(
        load_or_create_key(settings.local_issuer_key),
        settings.token_issuer,
        settings.token_audience,
    )
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(FURUSATO),
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(200):
                try:
                    await probe.get(f"{url}/.well-known/jwks.json")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
        yield url, issuer
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)


async def test_events_cross_worker_processes(workers: tuple[str, LocalIssuer]) -> None:
    url, issuer = workers
    operator = issuer.mint({"sub": "operator", "role": "operator"}, 600)
    staff = issuer.mint({"sub": "staff", "role": "staff", "municipality": "204854"}, 600)
    join: dict[str, object] = {
        "input": {"municipalityCode": "204854", "agreedOn": "2026-01-01", "startsOn": "2026-01-02"}
    }
    async with httpx.AsyncClient(base_url=url) as http:

        async def run(name: str, variables: dict[str, object], token: str) -> None:
            body = (
                await http.post(
                    "/graphql",
                    json={"query": served(name), "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            ).json()
            assert "errors" not in body, body

        await run("JoinPlatform", join, operator)
        watchers = [await connect(url.replace("http", "ws") + "/graphql", staff) for _ in range(4)]
        for watcher in watchers:
            await subscribe(watcher, "204854")
        await asyncio.sleep(0.5)
        # Several requests, so that both workers take some of the writes.
        for n in range(6):
            resident = issuer.mint({"sub": f"person-{n}", "role": "resident"}, 600)
            await run(
                "Register",
                {"input": {"municipalityCode": "204854", "relationship": "TOURISM"}},
                resident,
            )
        for watcher in watchers:
            events = await watcher.events(12)
            assert [e["type"] for e in events] == ["REGISTERED", "CERTIFICATE_ISSUED"] * 6
            await watcher.connection.close()


async def test_metrics_add_up_the_workers(workers: tuple[str, LocalIssuer]) -> None:
    url, _issuer = workers
    series = 'furusato_graphql_operations_total{operation="FindMunicipalities",outcome="ok"}'
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(10):
            response = await http.post(
                "/graphql", json={"query": served("FindMunicipalities"), "variables": {}}
            )
            assert response.status_code == 200
        # Whichever worker answers the scrape counts the other's requests too.
        for _ in range(4):
            exposed = (await http.get("/metrics")).text
            assert f"{series} 10.0" in exposed.splitlines()
        assert (await http.get("/readyz")).status_code == 200
