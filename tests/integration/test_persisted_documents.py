"""Persisted documents: a client may send `documentId` for one of its operations; in
production only those run, introspection is off and there is no GraphiQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from edge.persisted_documents import document_id, persisted
from tests.contract import operations, served
from tests.integration.conftest import Platform

pytestmark = pytest.mark.database

FIND = document_id(served("FindMunicipalities"))
VARIABLES = {"search": "白馬", "first": 1}
FREE_TEXT = "{ municipalities(first: 1) { totalCount } }"


def test_every_operation_of_the_clients_is_a_persisted_document() -> None:
    assert {document_id(served(name)) for name in operations()} == set(persisted())


@pytest.fixture(params=["development", "production"])
async def http(
    request: pytest.FixtureRequest, platform: Platform
) -> AsyncIterator[httpx.AsyncClient]:
    async with platform.api(env=request.param) as api:
        yield api.http


async def test_a_document_is_sent_by_its_id(http: httpx.AsyncClient) -> None:
    by_id = await http.post("/graphql", json={"documentId": FIND, "variables": VARIABLES})
    by_text = await http.post(
        "/graphql", json={"query": served("FindMunicipalities"), "variables": VARIABLES}
    )
    assert by_id.status_code == 200
    assert by_id.json() == by_text.json()
    assert by_id.json()["data"]["municipalities"]["edges"][0]["node"]["code"] == "204854"
    got = await http.get(
        "/graphql", params={"documentId": FIND}, headers={"Accept": "application/json"}
    )
    assert got.json()["data"]["municipalities"]["totalCount"] > 1000


async def test_an_unknown_or_doubled_document_is_refused(http: httpx.AsyncClient) -> None:
    unknown = await http.post("/graphql", json={"documentId": "sha256:00"})
    assert unknown.status_code == 400
    assert "no persisted document" in unknown.text
    both = await http.post("/graphql", json={"documentId": FIND, "query": FREE_TEXT})
    assert both.status_code == 400
    not_text = await http.post("/graphql", json={"documentId": 7})
    assert not_text.status_code == 400


async def test_production_runs_the_safelist_only(platform: Platform) -> None:
    async with platform.api(env="production") as production:
        http = production.http
        free = (await http.post("/graphql", json={"query": FREE_TEXT})).json()
        assert free["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        assert "data" not in free or free["data"] is None
        introspection = await http.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        codes = {e["extensions"]["code"] for e in introspection.json()["errors"]}
        assert codes == {"PERSISTED_DOCUMENT_REQUIRED", "BAD_USER_INPUT"}
        ide = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in ide.text.lower()
    async with platform.api(env="development") as development:
        free = (await development.http.post("/graphql", json={"query": FREE_TEXT})).json()
        assert free["data"]["municipalities"]["totalCount"] > 1000
        ide = await development.http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in ide.text.lower()
