"""Running the platform: health and readiness, metrics, one JSON log line per request with its
request id, and a graceful stop."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from prometheus_client import REGISTRY

from domain.clock import FixedClock
from edge.health import readiness
from edge.request_log import JsonFormatter
from edge.settings import Settings
from edge.tokens import LocalIssuer, TokenVerifier
from gateway import create_app
from persistence.database import Database, connect
from resolvers.event_hub import EventHub
from tests.integration.conftest import AUDIENCE, ISSUER, Api, Platform
from tests.integration.steps import HAKUBA, join

pytestmark = pytest.mark.database


async def test_a_worker_tells_it_lives_and_is_ready(api: Api) -> None:
    alive = await api.http.get("/healthz")
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "events": "ok"},
    }


async def test_a_worker_without_its_database_is_not_ready_and_says_so_at_once(
    platform: Platform,
) -> None:
    # Nothing listens on port 9: the connection is refused, as when PostgreSQL is stopped.
    away = connect("postgresql+psycopg://postgres@127.0.0.1:9/test")
    app = create_app(
        Settings(token_issuer=ISSUER, token_audience=AUDIENCE),
        database=away,
        clock=platform.clock,
        verifier=TokenVerifier(
            issuer=ISSUER, audience=AUDIENCE, local_key=platform.issuer.key.public_key()
        ),
        issuer=platform.certificate_issuer,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        started = time.monotonic()
        response = await http.get("/readyz")
        assert time.monotonic() - started < 2
        assert (await http.get("/healthz")).status_code == 200
    await away.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["database"].startswith("unreachable")


class _Stalled(EventHub):
    """Subscribers waiting on an outbox that has not been read for a while."""

    def poll_age(self) -> float:
        return 7.5


async def test_subscribers_left_without_events_make_a_worker_not_ready(
    database: Database,
) -> None:
    checks = await readiness(database, _Stalled(database))
    assert checks == {
        "database": "ok",
        "migrations": "ok",
        "events": "the outbox was last read 7.5 s ago",
    }


def _count(operation: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "furusato_graphql_operations_total", {"operation": operation, "outcome": outcome}
    )
    return value or 0.0


async def test_operations_are_counted_by_name_and_outcome(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    before = (
        _count("MyProfile", "ok"),
        _count("Registrants", "FORBIDDEN"),
        _count("other", "ok"),
    )
    await api.op("MyProfile", {}, api.resident())
    await api.op("Registrants", {"code": HAKUBA}, api.resident())
    await api.run("query WhateverTheClientCalledIt { municipalities(first: 1) { totalCount } }")
    after = (
        _count("MyProfile", "ok"),
        _count("Registrants", "FORBIDDEN"),
        _count("other", "ok"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
    exposed = (await api.http.get("/metrics")).text
    for series in (
        'furusato_graphql_operations_total{operation="MyProfile",outcome="ok"}',
        'furusato_graphql_operation_seconds_bucket{le="0.005",operation="MyProfile"}',
        'furusato_database_connections{state="in_use"}',
        "furusato_database_connections_opened_total ",
        "furusato_subscribers ",
        "furusato_event_poll_age_seconds ",
        "furusato_event_loop_lag_seconds_count ",
        'furusato_gc_pause_seconds_count{generation="2"}',
    ):
        assert series in exposed
    assert "WhateverTheClientCalledIt" not in exposed


async def test_each_request_is_one_json_line_with_its_id_and_no_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    token = api.resident("hanako", name="山田花子")
    with caplog.at_level(logging.INFO, logger="furusato.access"):
        response = await api.post(
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input)"
            " { errors { code } } }",
            {"input": {"displayName": "山田花子", "birthYear": 1985}},
            token,
        )
        kept = await api.http.get("/healthz", headers={"X-Request-Id": "lb-7f3a.1"})
        replaced = await api.http.get("/healthz", headers={"X-Request-Id": "no spaces\nplease"})
    rid = response.headers["x-request-id"]
    assert len(rid) == 32
    assert kept.headers["x-request-id"] == "lb-7f3a.1"
    assert replaced.headers["x-request-id"] not in ("no spaces\nplease", rid)
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    graphql = next(line for line in lines if line.get("path") == "/graphql")
    assert graphql["request_id"] == rid
    assert graphql["operation"] == "mutation (anonymous)"
    assert (graphql["method"], graphql["status"], graphql["outcome"]) == ("POST", 200, "ok")
    assert {"time", "level", "logger", "message", "duration_ms"} <= set(graphql)
    assert next(line["request_id"] for line in lines if line.get("path") == "/healthz") == (
        "lb-7f3a.1"
    )
    written = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for personal in ("山田花子", "1985", token):
        assert personal not in written


async def _slow_request(port: int, body: bytes) -> tuple[asyncio.StreamReader, Any]:
    """A POST whose body is not all there yet: the request is in flight."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[:10]
    )
    await writer.drain()
    return reader, writer


async def test_a_stopping_worker_finishes_what_is_in_flight_and_asks_subscribers_to_return(
    platform: Platform, issuer: LocalIssuer
) -> None:
    app = create_app(
        Settings(token_issuer=ISSUER, token_audience=AUDIENCE),
        database=platform.database,
        clock=platform.clock,
        verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE, local_key=issuer.key.public_key()),
        issuer=platform.certificate_issuer,
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    token = issuer.mint({"sub": f"staff-{HAKUBA}", "role": "staff", "municipality": HAKUBA}, 600)
    subscriber = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
    )
    await subscriber.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await subscriber.recv())["type"] == "connection_ack"
    body = b'{"query": "{ municipalities(first: 1) { totalCount } }"}'
    reader, writer = await _slow_request(port, body)

    server.should_exit = True
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(subscriber.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012, "service restart: reconnect and resume"
    # The request in flight is answered in full.
    writer.write(body[10:])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b'"totalCount":1788' in answer
    writer.close()
    await asyncio.wait_for(serving, 10)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
