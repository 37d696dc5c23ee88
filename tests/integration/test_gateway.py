"""The platform behind a Federation v2 gateway: composed with a partner's subgraph that adds a
field of its own to Municipality (@theguild/federation-composition), served by Hive Gateway,
a query joining both subgraphs and a subscription relayed to the platform."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import strawberry
from strawberry.asgi import GraphQL

from domain.clock import FixedClock
from tests.integration.conftest import Api
from tests.integration.processes import (
    ROOT,
    events_received,
    free_port,
    node,
    reference_subscription,
    serving,
)
from tests.integration.steps import HAKUBA, join, register

pytestmark = pytest.mark.database

GATEWAY = ROOT / "clients" / "gateway"


@strawberry.federation.type(keys=["code"])
class Municipality:
    """The partner's view of a place: how many hot springs it lists there."""

    code: str

    @strawberry.field
    def hot_springs(self) -> int:
        return {HAKUBA: 7}.get(self.code, 0)

    @classmethod
    def resolve_reference(cls, code: str) -> Municipality:
        return cls(code=code)


@strawberry.type
class Query:
    @strawberry.field
    def partner_name(self) -> str:
        return "温泉組合"


PARTNER = strawberry.federation.Schema(query=Query, types=[Municipality], federation_version="2.9")


@pytest.fixture
async def partner() -> AsyncIterator[str]:
    async with serving(GraphQL(PARTNER)) as port:
        yield f"http://127.0.0.1:{port}/graphql"


@pytest.fixture
async def gateway(server: str, partner: str, tmp_path: Path) -> AsyncIterator[str]:
    supergraph = tmp_path / "supergraph.graphql"
    platform = server.replace("ws://", "http://")
    compose = await asyncio.create_subprocess_exec(
        node(GATEWAY),
        str(GATEWAY / "compose.mjs"),
        str(supergraph),
        f"furusato={platform}",
        f"partner={partner}",
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(compose.communicate(), 60)
    assert compose.returncode == 0, err.decode()
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(GATEWAY / "node_modules" / ".bin" / "hive-gateway"),
        "supergraph",
        str(supergraph),
        "--port",
        str(port),
        cwd=GATEWAY,
        env={**os.environ, "SUPERGRAPH": str(supergraph)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthcheck")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        await process.wait()


async def test_a_query_through_the_gateway_joins_both_subgraphs(gateway: str) -> None:
    query = '{ partnerName municipality(code: "204854") { name kind hotSprings } }'
    async with httpx.AsyncClient() as http:
        response = await http.post(gateway, json={"query": query}, timeout=30)
    assert response.json() == {
        "data": {
            "partnerName": "温泉組合",
            "municipality": {"name": "白馬村", "kind": "VILLAGE", "hotSprings": 7},
        }
    }


async def test_a_subscription_is_relayed_through_the_gateway(
    api: Api, clock: FixedClock, gateway: str
) -> None:
    await join(api, HAKUBA, clock)
    url = gateway.replace("http://", "ws://")
    process = await reference_subscription(url, api.staff(HAKUBA), HAKUBA, 2)
    await asyncio.sleep(1)
    await register(api, api.resident("a"), HAKUBA)
    events = await events_received(process)
    assert [e["type"] for e in events] == ["REGISTERED", "CERTIFICATE_ISSUED"]
