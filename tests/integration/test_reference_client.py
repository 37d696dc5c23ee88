"""The dashboards' own client library, graphql-ws (npm), against the running server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from domain.clock import FixedClock
from tests.integration.conftest import Api
from tests.integration.steps import HAKUBA, join, register

pytestmark = pytest.mark.database

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "js"


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (CLIENT / "node_modules" / "graphql-ws").exists():
        if os.environ.get("FURUSATO_REQUIRE_NODE") == "1":
            pytest.fail("Node.js and clients/js/node_modules (make js) are required here")
        pytest.skip("no Node.js, or clients/js not installed (make js)")
    return node


async def test_graphql_ws_replays_then_follows(api: Api, clock: FixedClock, server: str) -> None:
    node = _node()
    await join(api, HAKUBA, clock)
    await register(api, api.resident("a"), HAKUBA)
    process = await asyncio.create_subprocess_exec(
        node,
        str(CLIENT / "subscribe.mjs"),
        server,
        api.staff(HAKUBA),
        HAKUBA,
        "4",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    assert (await asyncio.wait_for(process.stderr.readline(), 10)).strip() == b"subscribed"
    await asyncio.sleep(0.5)
    await register(api, api.resident("b"), HAKUBA)
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, err
    events = [json.loads(line) for line in out.decode().splitlines()]
    assert [e["type"] for e in events] == ["REGISTERED", "CERTIFICATE_ISSUED"] * 2
    assert len({e["cursor"] for e in events}) == 4
