"""Two worker processes of `furusato serve`: an event committed through either reaches a
subscriber on either, because both read the one outbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from edge.settings import Settings
from edge.tokens import LocalIssuer, load_or_create_key
from persistence import tables
from persistence.database import Database
from tests.contract import served
from tests.integration.processes import free_port
from tests.integration.test_subscriptions import connect, subscribe

pytestmark = pytest.mark.database

FURUSATO = Path(sys.executable).parent / "furusato"


class Workers(NamedTuple):
    url: str
    issuer: LocalIssuer
    # The `furusato serve` process; its children are the workers.
    pid: int


@pytest.fixture
async def workers(database: Database, tmp_path: Path) -> AsyncIterator[Workers]:
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
        yield Workers(url, issuer, process.pid)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)


async def test_events_cross_worker_processes(workers: Workers) -> None:
    url, issuer, _pid = workers
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


async def test_metrics_add_up_the_workers(workers: Workers) -> None:
    url, _issuer, _pid = workers
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


def _worker_pids(server_pid: int) -> list[int]:
    children = [
        int(pid)
        for task in Path(f"/proc/{server_pid}/task").iterdir()
        for pid in (task / "children").read_text().split()
    ]
    return [
        pid
        for pid in children
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


async def test_workers_killed_mid_import_leave_nothing_and_the_platform_carries_on(
    workers: Workers, database: Database
) -> None:
    url, issuer, server_pid = workers
    operator = issuer.mint({"sub": "operator", "role": "operator"}, 600)
    integration = issuer.mint(
        {"sub": "hakuba-system", "role": "integration", "municipality": "204854"}, 600
    )
    rows = "".join(f"K-{n},観光,2026-05-01\r\n" for n in range(20_000))
    listed = ("外部ID,関係,登録日\r\n" + rows).encode()
    upload = {
        "operations": json.dumps(
            {
                "query": 'mutation($file: Upload!) { importList(municipalityCode: "204854",'
                " kind: REGISTRATIONS, file: $file) { job { accepted } errors { code } } }",
                "variables": {"file": None},
            }
        ),
        "map": json.dumps({"0": ["variables.file"]}),
    }
    headers = {"Authorization": f"Bearer {integration}"}
    join = {
        "input": {"municipalityCode": "204854", "agreedOn": "2026-01-01", "startsOn": "2026-01-01"}
    }
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        joined = await http.post(
            "/graphql",
            json={"query": served("JoinPlatform"), "variables": join},
            headers={"Authorization": f"Bearer {operator}"},
        )
        assert joined.json()["data"]["joinPlatform"]["errors"] == []
        importing = asyncio.create_task(
            http.post("/graphql", data=upload, files={"0": ("list.csv", listed)}, headers=headers)
        )
        async with database.read_engine.connect() as connection:
            for _ in range(400):
                if await connection.scalar(select(func.count()).select_from(tables.ImportJob)):
                    break
                await connection.rollback()
                await asyncio.sleep(0.02)
        for pid in _worker_pids(server_pid):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(httpx.HTTPError):
            await importing

        async with database.read_engine.connect() as connection:
            status = await connection.scalar(select(col(tables.ImportJob.status)))
            written = await connection.scalar(select(func.count()).select_from(tables.Registration))
        assert (status, written) == ("RUNNING", 0)
        # The server starts new workers; the same file then goes in once.
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/readyz")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
        again = await http.post(
            "/graphql", data=upload, files={"0": ("list.csv", listed)}, headers=headers
        )
        assert again.json()["data"]["importList"]["job"] == {"accepted": 20_000}
    async with database.read_engine.connect() as connection:
        written = await connection.scalar(select(func.count()).select_from(tables.Registration))
    assert written == 20_000
