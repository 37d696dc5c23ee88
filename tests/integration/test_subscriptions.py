"""MunicipalEvents over a real WebSocket (graphql-transport-ws) against a running server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from sqlalchemy import text
from websockets.typing import Subprotocol

from domain.clock import FixedClock
from gateway import CONNECTION_INIT_SECONDS
from persistence.database import Database
from resolvers import event_hub
from tests.contract import served
from tests.integration.conftest import Api
from tests.integration.steps import HAKUBA, NAGANO, join, register

pytestmark = pytest.mark.database

EVENTS = served("MunicipalEvents")
PROTOCOL = Subprotocol("graphql-transport-ws")


class Client:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), within))
        return message

    async def nothing_more(self) -> None:
        """Nothing else arrives (nothing twice); then the client leaves."""
        with pytest.raises(TimeoutError):
            await self.receive(within=0.5)
        await self.connection.close()

    async def events(self, count: int) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        while len(got) < count:
            message = await self.receive()
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            got.append(message["payload"]["data"]["municipalEvents"])
        return got


async def connect(url: str, token: str) -> Client:
    connection = await websockets.connect(url, subprotocols=[PROTOCOL])
    client = Client(connection)
    await client.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await client.receive())["type"] == "connection_ack"
    return client


async def subscribe(client: Client, code: str, after: str | None = None) -> None:
    variables = {"code": code, "after": after}
    await client.send(
        {"id": "1", "type": "subscribe", "payload": {"query": EVENTS, "variables": variables}}
    )


async def test_replay_then_live_then_resume_with_nothing_lost_or_twice(
    api: Api, clock: FixedClock, server: str
) -> None:
    await join(api, HAKUBA, clock)
    await register(api, api.resident("a"), HAKUBA)

    watcher = await connect(server, api.staff(HAKUBA))
    await subscribe(watcher, HAKUBA)
    replayed = await watcher.events(2)
    assert [e["type"] for e in replayed] == ["REGISTERED", "CERTIFICATE_ISSUED"]
    assert replayed[0]["tier"] == "BASIC"
    assert replayed[0]["subjectId"]

    await register(api, api.resident("b"), HAKUBA)
    live = await watcher.events(2)
    assert [e["type"] for e in live] == ["REGISTERED", "CERTIFICATE_ISSUED"]
    cursor = live[-1]["cursor"]
    await watcher.connection.close()

    # Missed while away: exactly these, after the cursor.
    await register(api, api.resident("c"), HAKUBA)
    again = await connect(server, api.staff(HAKUBA))
    await subscribe(again, HAKUBA, cursor)
    missed = await again.events(2)
    assert [e["type"] for e in missed] == ["REGISTERED", "CERTIFICATE_ISSUED"]
    assert missed[0]["subjectId"] not in {e["subjectId"] for e in replayed + live}
    await again.nothing_more()


async def test_prefecture_staff_watch_their_municipalities(
    api: Api, clock: FixedClock, server: str
) -> None:
    await join(api, HAKUBA, clock)
    watcher = await connect(server, api.staff(NAGANO))
    await subscribe(watcher, NAGANO)
    await asyncio.sleep(0.2)
    await register(api, api.resident(), HAKUBA)
    assert [e["type"] for e in await watcher.events(2)] == ["REGISTERED", "CERTIFICATE_ISSUED"]
    await watcher.connection.close()


async def test_only_that_places_staff_may_watch(api: Api, server: str) -> None:
    for token in (api.resident(), api.staff("014583")):
        client = await connect(server, token)
        await subscribe(client, HAKUBA)
        message = await client.receive()
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        await client.connection.close()


async def test_a_bad_token_is_refused_at_connection(server: str) -> None:
    connection = await websockets.connect(server, subprotocols=[PROTOCOL])
    await connection.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
    )
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(connection.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_feed_updates_push_what_reaches_the_resident(
    api: Api, clock: FixedClock, server: str
) -> None:
    await join(api, HAKUBA, clock)
    await join(api, NAGANO, clock)
    await join(api, "014583", clock)
    hanako = api.resident()
    await register(api, hanako, HAKUBA)
    client = await connect(server, hanako)
    await client.send({"id": "f", "type": "subscribe", "payload": {"query": served("FeedUpdates")}})
    await asyncio.sleep(0.3)

    async def publish(staff_of: str, title: str, **fields: Any) -> None:
        notice = {"municipalityCode": staff_of, "kind": "NEWS", "title": title, **fields}
        body = await api.op("PublishNotice", {"input": notice}, api.staff(staff_of))
        assert body["data"]["publishNotice"]["errors"] == []

    await publish("014583", "よその町のお知らせ")
    await publish(HAKUBA, "担い手だけ", audience="PREMIUM")
    await publish(HAKUBA, "村のお知らせ")
    await publish(NAGANO, "県のお知らせ")
    pushed = []
    for _ in range(2):
        message = await client.receive()
        assert message["type"] == "next", message
        pushed.append(message["payload"]["data"]["feedUpdates"])
    # Each place's notices come in order; two places' may interleave either way.
    assert {(n["title"], n["municipality"]["code"]) for n in pushed} == {
        ("村のお知らせ", HAKUBA),
        ("県のお知らせ", NAGANO),
    }
    await client.nothing_more()


async def test_the_legacy_graphql_ws_protocol_works_too(
    api: Api, clock: FixedClock, server: str
) -> None:
    await join(api, HAKUBA, clock)
    await register(api, api.resident(), HAKUBA)
    connection = await websockets.connect(server, subprotocols=[Subprotocol("graphql-ws")])
    client = Client(connection)
    token = f"Bearer {api.staff(HAKUBA)}"
    await client.send({"type": "connection_init", "payload": {"Authorization": token}})
    assert (await client.receive())["type"] == "connection_ack"
    variables = {"code": HAKUBA, "after": None}
    await client.send(
        {"id": "1", "type": "start", "payload": {"query": EVENTS, "variables": variables}}
    )
    message = await client.receive()
    while message["type"] == "ka":
        message = await client.receive()
    assert message["type"] == "data", message
    assert message["payload"]["data"]["municipalEvents"]["type"] == "REGISTERED"
    await connection.close()


async def test_a_socket_that_never_introduces_itself_is_closed(server: str) -> None:
    connection = await websockets.connect(server, subprotocols=[PROTOCOL])
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(connection.recv(), CONNECTION_INIT_SECONDS + 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


async def close_code(connection: Any) -> int | None:
    """Read until the server closes the socket; the code it closed with."""
    try:
        while True:
            await asyncio.wait_for(connection.recv(), 5)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


INIT = {"type": "connection_init", "payload": {}}
SUBSCRIBE = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { __typename }"}}


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        pytest.param([INIT, {"type": "bogus"}], 4400, id="a message the protocol lacks"),
        pytest.param([SUBSCRIBE], 4401, id="subscribing before the connection is acknowledged"),
        pytest.param([INIT, INIT], 4429, id="a second connection_init"),
    ],
)
async def test_the_protocols_close_codes(
    api: Api, server: str, messages: list[dict[str, Any]], code: int
) -> None:
    connection = await websockets.connect(server, subprotocols=[PROTOCOL])
    token = {"Authorization": f"Bearer {api.staff(HAKUBA)}"}
    for message in messages:
        payload = {**message, "payload": token} if message is INIT else message
        await connection.send(json.dumps(payload))
    assert await close_code(connection) == code


async def test_a_second_subscription_with_a_live_id_closes_with_4409(
    api: Api, clock: FixedClock, server: str
) -> None:
    await join(api, HAKUBA, clock)
    client = await connect(server, api.staff(HAKUBA))
    await subscribe(client, HAKUBA)
    await subscribe(client, HAKUBA)
    assert await close_code(client.connection) == 4409


async def test_subscribers_carry_on_when_the_database_drops_every_connection(
    api: Api, clock: FixedClock, server: str, database: Database
) -> None:
    if database.url.get_backend_name() != "postgresql":
        pytest.skip("the embedded database has no server to lose")
    await join(api, HAKUBA, clock)
    await register(api, api.resident("before"), HAKUBA)
    watcher = await connect(server, api.staff(HAKUBA))
    await subscribe(watcher, HAKUBA)
    seen = await watcher.events(2)
    # What a database restart looks like from here: every connection of the platform is cut.
    async with database.read_engine.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await asyncio.sleep(event_hub.POLL_SECONDS * 3)
    await register(api, api.resident("after"), HAKUBA)
    later = await watcher.events(2)
    assert [e["type"] for e in later] == ["REGISTERED", "CERTIFICATE_ISSUED"]
    assert len({e["cursor"] for e in seen + later}) == 4
    await watcher.nothing_more()
