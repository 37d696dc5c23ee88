"""Limits at the edge: body size, batches, and changes per caller; each a clear refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from persistence.database import Database
from schema.limits import MutationRateLimit
from schema.root import schema
from tests.integration.conftest import Api, Platform, snapshot
from tests.integration.steps import HAKUBA, join

pytestmark = pytest.mark.database


def test_every_mutation_declares_the_rate_limit() -> None:
    mutation = schema.get_type_by_name("Mutation")
    assert mutation is not None
    for field in mutation.fields:  # type: ignore[union-attr]
        assert any(isinstance(e, MutationRateLimit) for e in field.extensions), field.name


async def test_a_body_over_the_limit_is_refused_unread(api: Api) -> None:
    huge = {"query": "{ __typename }", "variables": {"x": "あ" * 40_000}}
    response = await api.http.post("/graphql", json=huge)
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"x": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}}'

    chunked = await api.http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413
    small = await api.http.post("/graphql", json={"query": "{ __typename }"})
    assert small.json() == {"data": {"__typename": "Query"}}


async def test_batches_and_malformed_bodies_are_refused(api: Api) -> None:
    batch = await api.http.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert batch.status_code == 400
    malformed = await api.http.post(
        "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    wrong_type = await api.http.post(
        "/graphql", content=b"query { __typename }", headers={"Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 400


async def test_changes_per_caller_are_limited(platform: Platform, database: Database) -> None:
    async with platform.api(mutations_per_minute=2) as api:
        await join(api, HAKUBA, platform.clock)
        hanako = api.resident("hanako")
        change = {"input": {"displayName": "花子"}}
        for _ in range(2):
            assert "errors" not in await api.op("UpdateProfile", change, hanako)
        before = await snapshot(database)
        refused = await api.op("UpdateProfile", {"input": {"displayName": "x"}}, hanako)
        assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert await snapshot(database) == before
        # Another caller has a budget of their own.
        assert "errors" not in await api.op("UpdateProfile", change, api.resident("taro"))
