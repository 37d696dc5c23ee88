"""Who may do what: every denial is a GraphQL error with a code, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.clock import FixedClock, japan_date
from persistence.database import Database
from tests.integration.conftest import Api, snapshot
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    NAGANO,
    join,
    record,
    register,
)

pytestmark = pytest.mark.database


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture
async def world(api: Api, clock: FixedClock) -> dict[str, str]:
    """白馬村 and 東川町 take part; 花子 is registered with 白馬村 and has a pending activity."""
    await join(api, HAKUBA, clock)
    await join(api, HIGASHIKAWA, clock)
    hanako = api.resident()
    registration_id = await register(api, hanako, HAKUBA)
    activity_id = await record(api, hanako, HAKUBA, japan_date(clock.now()) - timedelta(days=1))
    return {"hanako": hanako, "registration": registration_id, "activity": activity_id}


MUTATIONS: dict[str, dict[str, Any]] = {
    "UpdateProfile": {"input": {"displayName": "誰か"}},
    "Register": {"input": {"municipalityCode": HAKUBA, "relationship": "TOURISM"}},
    "RecordActivity": {
        "input": {
            "municipalityCode": HAKUBA,
            "kind": "OTHER",
            "occurredOn": "2027-01-15",
            "hours": 1,
            "description": "",
        }
    },
    "JoinPlatform": {
        "input": {"municipalityCode": NAGANO, "agreedOn": "2027-01-01", "startsOn": "2027-01-02"}
    },
    "SetPremiumPolicy": {
        "input": {
            "municipalityCode": HAKUBA,
            "requiredActivities": 1,
            "windowDays": 30,
            "eligibleActivityKinds": ["OTHER"],
        }
    },
}


@pytest.mark.parametrize("operation", sorted(MUTATIONS))
async def test_without_a_token_every_mutation_is_unauthenticated(
    api: Api, database: Database, world: dict[str, str], operation: str
) -> None:
    before = await snapshot(database)
    body = await api.op(operation, MUTATIONS[operation])
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    ("operation", "role"),
    [
        ("UpdateProfile", "staff"),
        ("Register", "staff"),
        ("Register", "operator"),
        ("RecordActivity", "analyst"),
        ("JoinPlatform", "staff"),
        ("JoinPlatform", "resident"),
        ("SetPremiumPolicy", "resident"),
        ("SetPremiumPolicy", "operator"),
        ("SetPremiumPolicy", "staff-elsewhere"),
    ],
)
async def test_the_wrong_role_is_forbidden(
    api: Api, database: Database, world: dict[str, str], operation: str, role: str
) -> None:
    token = {
        "staff": api.staff(HAKUBA),
        "staff-elsewhere": api.staff(HIGASHIKAWA),
        "operator": api.operator(),
        "analyst": api.token("analyst", "analyst"),
        "resident": world["hanako"],
    }[role]
    before = await snapshot(database)
    body = await api.op(operation, MUTATIONS[operation], token)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await snapshot(database) == before


async def test_staff_review_only_their_own_places_activities(
    api: Api, database: Database, world: dict[str, str]
) -> None:
    before = await snapshot(database)
    body = await api.op(
        "ReviewActivity",
        {"input": {"activityId": world["activity"], "approve": True}},
        api.staff(HIGASHIKAWA),
    )
    assert body["data"]["reviewActivity"] == {
        "activity": None,
        "errors": [
            {
                "code": "ACTIVITY_NOT_FOUND",
                "field": "activityId",
                "message": "no such activity in your scope",
            }
        ],
    }
    assert await snapshot(database) == before
    forbidden = await api.op(
        "ReviewActivity",
        {"input": {"activityId": world["activity"], "approve": True}},
        world["hanako"],
    )
    assert error_codes(forbidden) == ["FORBIDDEN"]
    assert await snapshot(database) == before


@pytest.mark.parametrize("operation", ["Withdraw", "ApplyForPremium"])
async def test_another_residents_registration_answers_like_a_missing_one(
    api: Api, database: Database, world: dict[str, str], operation: str
) -> None:
    before = await snapshot(database)
    body = await api.op(
        operation, {"registrationId": world["registration"]}, api.resident("ichiro")
    )
    payload = next(iter(body["data"].values()))
    assert [e["code"] for e in payload["errors"]] == ["REGISTRATION_NOT_FOUND"]
    # Not even 一郎, whose first call this was, is created by a refused call.
    assert await snapshot(database) == before


@pytest.mark.parametrize("operation", ["Registrants", "PendingActivities"])
async def test_registrants_and_activities_are_for_that_places_staff(
    api: Api, world: dict[str, str], operation: str
) -> None:
    variables = {"code": HAKUBA, "first": 10}
    assert error_codes(await api.op(operation, variables)) == ["UNAUTHENTICATED"]
    for token in (
        world["hanako"],
        api.staff(HIGASHIKAWA),
        api.token("analyst", "analyst"),
        api.operator(),
    ):
        body = await api.op(operation, variables, token)
        assert error_codes(body) == ["FORBIDDEN"]
        # The denial blanks the list alone; the place itself is public.
        assert list(body["data"]["municipality"].values()) == [None]
    for token in (api.staff(HAKUBA), api.staff(NAGANO)):
        body = await api.op(operation, variables, token)
        assert "errors" not in body
        connection = next(iter(body["data"]["municipality"].values()))
        assert connection["totalCount"] == 1


async def test_prefecture_staff_see_their_municipalities_registrants(
    api: Api, clock: FixedClock, world: dict[str, str]
) -> None:
    await join(api, NAGANO, clock)
    ichiro = api.resident("ichiro")
    await register(api, ichiro, NAGANO)
    prefecture = await api.op("Registrants", {"code": NAGANO}, api.staff(NAGANO))
    registrations = prefecture["data"]["municipality"]["registrations"]
    assert registrations["totalCount"] == 2
    village = await api.op("Registrants", {"code": HAKUBA}, api.staff(NAGANO))
    assert village["data"]["municipality"]["registrations"]["totalCount"] == 1
    # The village's staff do not see the prefecture's own registrants.
    denied = await api.op("Registrants", {"code": NAGANO}, api.staff(HAKUBA))
    assert error_codes(denied) == ["FORBIDDEN"]


async def test_staff_see_no_more_of_a_resident_than_their_list_needs(
    api: Api, world: dict[str, str]
) -> None:
    query = """query ($code: String!) { municipality(code: $code) {
        registrations { edges { node { premiumProgress { eligible }
            resident { displayName interests registrations { id } } } } } } }"""
    body = await api.run(query, {"code": HAKUBA}, api.staff(HAKUBA))
    assert sorted(error_codes(body)) == ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]


async def test_a_bad_or_expired_token_is_refused_at_the_edge(api: Api, clock: FixedClock) -> None:
    for header in ("Bearer not-a-token", "Basic abc", "Bearer "):
        response = await api.http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": header}
        )
        assert response.status_code == 401
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
    expired = api.issuer.mint({"sub": "hanako", "role": "resident"}, -3600)
    response = await api.post("{ me { id } }", token=expired)
    assert response.status_code == 401
    staff_without_place = api.token("staff", "s")
    response = await api.post("{ me { id } }", token=staff_without_place)
    assert response.status_code == 401


async def test_public_search_needs_no_token(api: Api, world: dict[str, str]) -> None:
    body = await api.op("FindMunicipalities", {"search": "白馬"})
    edges = body["data"]["municipalities"]["edges"]
    assert [(e["node"]["code"], e["node"]["participating"]) for e in edges] == [(HAKUBA, True)]


async def test_profile_home_is_validated(api: Api, world: dict[str, str]) -> None:
    body = await api.op(
        "UpdateProfile", {"input": {"homeMunicipalityCode": "999997"}}, world["hanako"]
    )
    assert [e["code"] for e in body["data"]["updateProfile"]["errors"]] == [
        "MUNICIPALITY_NOT_FOUND"
    ]
    body = await api.op(
        "UpdateProfile", {"input": {"homeMunicipalityCode": CHIYODA}}, world["hanako"]
    )
    assert body["data"]["updateProfile"]["resident"]["homeMunicipality"] == {"code": CHIYODA}


async def test_prefecture_staff_see_but_do_not_decide_for_their_municipalities(
    api: Api, database: Database, world: dict[str, str]
) -> None:
    before = await snapshot(database)
    review = await api.op(
        "ReviewActivity",
        {"input": {"activityId": world["activity"], "approve": True}},
        api.staff(NAGANO),
    )
    assert [e["code"] for e in review["data"]["reviewActivity"]["errors"]] == ["ACTIVITY_NOT_FOUND"]
    policy = await api.op("SetPremiumPolicy", MUTATIONS["SetPremiumPolicy"], api.staff(NAGANO))
    assert error_codes(policy) == ["FORBIDDEN"]
    assert await snapshot(database) == before


async def test_without_a_token_node_answers_nothing_about_existence(
    api: Api, world: dict[str, str]
) -> None:
    query = "query ($id: ID!) { node(id: $id) { id } }"
    real = await api.run(query, {"id": world["registration"]})
    missing = await api.run(
        query, {"id": "UmVnaXN0cmF0aW9uOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"}
    )
    assert error_codes(real) == error_codes(missing) == ["UNAUTHENTICATED"]
    assert real["data"] == missing["data"] == {"node": None}
