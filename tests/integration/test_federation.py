"""The platform as an Apollo Federation v2 subgraph: its SDL for a gateway, and its entities
(Municipality by code, Resident by id) for joining other subgraphs' fields to them."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Api
from tests.integration.steps import HAKUBA

pytestmark = pytest.mark.database


async def test_the_subgraph_tells_a_gateway_its_entities(api: Api) -> None:
    body = await api.op("SubgraphSdl")
    sdl = body["data"]["_service"]["sdl"]
    assert "https://specs.apollo.dev/federation/v2.9" in sdl
    assert 'type Municipality @key(fields: "code")' in sdl
    assert 'type Resident implements Node @key(fields: "id")' in sdl


async def test_places_are_found_by_code_and_an_unknown_one_is_null(api: Api) -> None:
    representations = [
        {"__typename": "Municipality", "code": HAKUBA},
        {"__typename": "Municipality", "code": "999997"},
    ]
    body = await api.op("MunicipalityEntities", {"representations": representations})
    assert body == {
        "data": {"_entities": [{"code": HAKUBA, "name": "白馬村", "kind": "VILLAGE"}, None]}
    }


@pytest.mark.parametrize(
    "representation",
    [
        {"__typename": "Registration", "id": "x"},
        {"__typename": "Municipality"},
        {"__typename": "Municipality", "code": 204854},
        {"__typename": ["Municipality"], "code": HAKUBA},
        "Municipality",
    ],
)
async def test_a_malformed_representation_is_the_callers_mistake(
    api: Api, representation: object
) -> None:
    body = await api.op("MunicipalityEntities", {"representations": [representation]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
