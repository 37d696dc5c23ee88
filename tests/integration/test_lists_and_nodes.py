"""Search, pagination, tier filters and refetching by global ID."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.clock import FixedClock
from persistence import views
from tests.integration.conftest import Api
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    NAGANO,
    become_premium,
    join,
    register,
    set_home,
)

pytestmark = pytest.mark.database


def codes_of(body: dict[str, Any]) -> list[str]:
    return [e["node"]["code"] for e in body["data"]["municipalities"]["edges"]]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("白馬", ["204854"]),
        ("はくば", ["204854"]),
        ("ハクバ", ["204854"]),
        ("ﾊｸﾊﾞ", ["204854"]),
        ("  白馬 ", ["204854"]),
        ("千代田", ["105236", "131016"]),  # 群馬県千代田町 and 東京都千代田区
        ("100%", []),
        ("南アルプス", ["192082"]),
        ("茅ヶ崎", ["142077"]),
        ("ちがさき", ["142077"]),
        ("上ノ国", ["013625"]),
    ],
)
async def test_search_by_name_or_reading(api: Api, search: str, expected: list[str]) -> None:
    assert codes_of(await api.op("FindMunicipalities", {"search": search})) == expected


async def test_search_within_a_prefecture_page_by_page(api: Api) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await api.op(
            "FindMunicipalities", {"prefectureCode": NAGANO, "first": 30, "after": after}
        )
        connection = body["data"]["municipalities"]
        assert connection["totalCount"] == 78  # 長野県 and its 77 municipalities
        seen += [e["node"]["code"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 78
    assert seen == sorted(seen)
    assert seen[0] == NAGANO


async def test_search_names_the_prefecture_and_kind(api: Api) -> None:
    body = await api.op("FindMunicipalities", {"search": "札幌"})
    node = body["data"]["municipalities"]["edges"][0]["node"]
    assert node == {
        "code": "011002",
        "name": "札幌市",
        "nameKana": "さっぽろし",
        "kind": "CITY",
        "participating": False,
        "prefecture": {"code": "010006", "name": "北海道"},
    }


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 101},
        {"first": -1},
        {"after": "not-a-cursor"},
        {"prefectureCode": "200001"},
        {"search": "あ" * 51},
    ],
)
async def test_bad_list_arguments_are_bad_user_input(api: Api, variables: dict[str, Any]) -> None:
    body = await api.op("FindMunicipalities", variables)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_an_unknown_code_is_null_and_a_malformed_one_bad_input(api: Api) -> None:
    assert (await api.run('{ municipality(code: "999997") { name } }'))["data"] == {
        "municipality": None
    }
    body = await api.run('{ municipality(code: "999999") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_registrants_page_and_filter_by_tier(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    people = [api.resident(f"person-{n}") for n in range(5)]
    for person in people:
        await register(api, person, HAKUBA)
        clock.advance(timedelta(minutes=1))
    premium = people[0]
    await set_home(api, premium, CHIYODA)
    profile = await api.op("MyProfile", token=premium)
    registration_id = profile["data"]["me"]["registrations"][0]["id"]
    await become_premium(api, clock, premium, registration_id)

    staff = api.staff(HAKUBA)
    first = await api.op("Registrants", {"code": HAKUBA, "first": 3}, staff)
    page = first["data"]["municipality"]["registrations"]
    assert (page["totalCount"], len(page["edges"]), page["pageInfo"]["hasNextPage"]) == (5, 3, True)
    rest = await api.op(
        "Registrants", {"code": HAKUBA, "first": 3, "after": page["pageInfo"]["endCursor"]}, staff
    )
    later = rest["data"]["municipality"]["registrations"]
    assert (len(later["edges"]), later["pageInfo"]["hasNextPage"]) == (2, False)
    beyond = await api.op(
        "Registrants", {"code": HAKUBA, "after": later["pageInfo"]["endCursor"]}, staff
    )
    past_the_end = beyond["data"]["municipality"]["registrations"]
    assert (past_the_end["totalCount"], past_the_end["edges"]) == (5, [])
    ids = [e["node"]["id"] for e in page["edges"] + later["edges"]]
    assert len(set(ids)) == 5
    assert ids[-1] == registration_id, "newest first: the first to register comes last"

    premium_only = await api.op("Registrants", {"code": HAKUBA, "tier": "PREMIUM"}, staff)
    nodes = [e["node"] for e in premium_only["data"]["municipality"]["registrations"]["edges"]]
    assert [(n["id"], n["tier"]) for n in nodes] == [(registration_id, "PREMIUM")]
    assert nodes[0]["resident"]["homeMunicipality"] == {"code": CHIYODA, "name": "千代田区"}
    basic = await api.op("Registrants", {"code": HAKUBA, "tier": "BASIC"}, staff)
    assert basic["data"]["municipality"]["registrations"]["totalCount"] == 4

    clock.advance(timedelta(days=400))
    lapsed = await api.op("Registrants", {"code": HAKUBA, "tier": "PREMIUM"}, staff)
    assert lapsed["data"]["municipality"]["registrations"]["totalCount"] == 0


async def test_refetch_by_global_id_only_what_is_yours(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    registration_id = await register(api, hanako, HAKUBA)
    query = "query ($id: ID!) { node(id: $id) { id ... on Registration { status } } }"
    own = await api.run(query, {"id": registration_id}, hanako)
    assert own["data"]["node"] == {"id": registration_id, "status": "ACTIVE"}
    staff_view = await api.run(query, {"id": registration_id}, api.staff(HAKUBA))
    assert staff_view["data"]["node"]["id"] == registration_id
    for stranger in (api.resident("ichiro"), api.staff(CHIYODA)):
        assert (await api.run(query, {"id": registration_id}, stranger))["data"] == {"node": None}
    me = (await api.op("MyProfile", token=hanako))["data"]["me"]["id"]
    person = "query ($id: ID!) { node(id: $id) { id ... on Resident { displayName } } }"
    assert (await api.run(person, {"id": me}, hanako))["data"]["node"]["id"] == me
    for stranger in (api.resident("ichiro"), api.staff(HAKUBA)):
        assert (await api.run(person, {"id": me}, stranger))["data"] == {"node": None}
    bad = await api.run(query, {"id": "garbage!"}, hanako)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_graphiql_is_served_in_development(api: Api) -> None:
    response = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_an_unexpected_failure_is_internal_and_masked(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("connection to server at 10.0.0.1 lost; SELECT secret FROM resident")

    monkeypatch.setattr(views, "search_municipalities", broken)
    body = await api.op("FindMunicipalities", {"search": "白馬"})
    assert body["data"] is None
    assert body["errors"][0]["message"] == "internal error"
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "secret" not in str(body)
    assert "SELECT secret" in caplog.text
