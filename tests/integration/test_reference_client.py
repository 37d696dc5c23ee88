"""The dashboards' own client library, graphql-ws (npm), against the running server."""

from __future__ import annotations

import asyncio

import pytest

from domain.clock import FixedClock
from tests.integration.conftest import Api
from tests.integration.processes import events_received, reference_subscription
from tests.integration.steps import HAKUBA, join, register

pytestmark = pytest.mark.database


async def test_graphql_ws_replays_then_follows(api: Api, clock: FixedClock, server: str) -> None:
    await join(api, HAKUBA, clock)
    await register(api, api.resident("a"), HAKUBA)
    process = await reference_subscription(server, api.staff(HAKUBA), HAKUBA, 4)
    await asyncio.sleep(0.5)
    await register(api, api.resident("b"), HAKUBA)
    events = await events_received(process)
    assert [e["type"] for e in events] == ["REGISTERED", "CERTIFICATE_ISSUED"] * 2
    assert len({e["cursor"] for e in events}) == 4
