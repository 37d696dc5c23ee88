"""A resident's way from registration to premium, through the clients' own operations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import FixedClock, japan_date
from persistence.database import Database
from tests.integration.conftest import Api, snapshot
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    NAGANO,
    SAPPORO,
    become_premium,
    join,
    record,
    register,
    review,
    set_home,
)

pytestmark = pytest.mark.database


async def test_register_record_review_and_become_premium(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident(name="佐藤 花子", birth_year=1988)
    await set_home(api, hanako, CHIYODA)
    registration_id = await register(api, hanako, HAKUBA, "TWO_BASE_LIVING")

    today = japan_date(clock.now())
    activities = [await record(api, hanako, HAKUBA, today - timedelta(days=d)) for d in (1, 2, 3)]
    pending = await api.op("PendingActivities", {"code": HAKUBA, "first": 10}, api.staff(HAKUBA))
    queue = pending["data"]["municipality"]["activities"]
    assert queue["totalCount"] == 3
    assert {e["node"]["id"] for e in queue["edges"]} == set(activities)
    assert queue["edges"][0]["node"]["resident"]["displayName"] == "佐藤 花子"

    profile = await api.op("MyProfile", token=hanako)
    progress = profile["data"]["me"]["registrations"][0]["premiumProgress"]
    assert progress == {
        "verifiedActivities": 0,
        "requiredActivities": 3,
        "windowDays": 365,
        "eligible": False,
        "missing": ["REQUIREMENTS_NOT_MET"],
    }

    for activity_id in activities:
        reviewed = await review(api, api.staff(HAKUBA), activity_id)
        assert reviewed["data"]["reviewActivity"]["activity"]["status"] == "VERIFIED"

    profile = await api.op("MyProfile", token=hanako)
    progress = profile["data"]["me"]["registrations"][0]["premiumProgress"]
    assert (progress["eligible"], progress["missing"], progress["verifiedActivities"]) == (
        True,
        [],
        3,
    )

    granted = await api.op("ApplyForPremium", {"registrationId": registration_id}, hanako)
    payload = granted["data"]["applyForPremium"]
    assert payload["errors"] == []
    assert payload["registration"]["tier"] == "PREMIUM"
    assert payload["registration"]["premiumUntil"] == "2028-02-01T03:00:00+00:00"
    certificate = payload["registration"]["certificate"]
    assert (certificate["tier"], certificate["status"]) == ("PREMIUM", "VALID")
    assert certificate["validUntil"] == "2028-02-01T03:00:00+00:00"

    me = (await api.op("MyProfile", token=hanako))["data"]["me"]
    assert me["displayName"] == "佐藤 花子"
    assert me["birthYear"] == 1988
    assert me["identityVerified"] is True
    assert me["homeMunicipality"] == {
        "code": CHIYODA,
        "name": "千代田区",
        "prefecture": {"code": "130001", "name": "東京都"},
    }
    registration = me["registrations"][0]
    assert registration["tier"] == "PREMIUM"
    assert registration["municipality"] == {
        "code": HAKUBA,
        "name": "白馬村",
        "kind": "VILLAGE",
        "prefecture": {"code": NAGANO, "name": "長野県"},
    }
    assert registration["certificate"]["serialNumber"] == certificate["serialNumber"]


async def test_premium_refusals_are_payload_errors_and_change_nothing(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    ichiro = api.resident("ichiro", verified=False)
    registration_id = await register(api, ichiro, HAKUBA)
    before = await snapshot(database)
    body = await api.op("ApplyForPremium", {"registrationId": registration_id}, ichiro)
    payload = body["data"]["applyForPremium"]
    assert payload["registration"] is None
    assert [e["code"] for e in payload["errors"]] == [
        "IDENTITY_NOT_VERIFIED",
        "REQUIREMENTS_NOT_MET",
        "HOME_MUNICIPALITY_UNKNOWN",
    ]
    assert all(e["message"] for e in payload["errors"])
    assert await snapshot(database) == before


async def test_registering_where_the_place_does_not_take_part(api: Api, database: Database) -> None:
    hanako = api.resident()
    await api.op("MyProfile", token=hanako)
    before = await snapshot(database)
    body = await api.op(
        "Register", {"input": {"municipalityCode": SAPPORO, "relationship": "TOURISM"}}, hanako
    )
    assert body["data"]["register"] == {
        "registration": None,
        "errors": [
            {
                "code": "MUNICIPALITY_NOT_PARTICIPATING",
                "field": "municipalityCode",
                "message": "this place does not take part in the platform yet",
            }
        ],
    }
    assert await snapshot(database) == before


async def test_registering_twice_and_withdrawing(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    registration_id = await register(api, hanako, HAKUBA)
    again = await api.op(
        "Register", {"input": {"municipalityCode": HAKUBA, "relationship": "TOURISM"}}, hanako
    )
    assert [e["code"] for e in again["data"]["register"]["errors"]] == ["ALREADY_REGISTERED"]

    withdrawn = await api.op("Withdraw", {"registrationId": registration_id}, hanako)
    payload = withdrawn["data"]["withdraw"]
    assert payload["errors"] == []
    assert payload["registration"]["status"] == "WITHDRAWN"
    assert payload["registration"]["certificate"]["status"] == "REVOKED"

    twice = await api.op("Withdraw", {"registrationId": registration_id}, hanako)
    assert [e["code"] for e in twice["data"]["withdraw"]["errors"]] == ["REGISTRATION_NOT_ACTIVE"]
    assert await register(api, hanako, HAKUBA) != registration_id


async def test_a_bad_check_digit_is_bad_user_input(api: Api) -> None:
    body = await api.op(
        "Register",
        {"input": {"municipalityCode": "204855", "relationship": "TOURISM"}},
        api.resident(),
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_activity_refusals(api: Api, clock: FixedClock, database: Database) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await register(api, hanako, HAKUBA)
    before = await snapshot(database)
    tomorrow = japan_date(clock.now()) + timedelta(days=1)
    body = await api.op(
        "RecordActivity",
        {
            "input": {
                "municipalityCode": NAGANO,
                "kind": "OTHER",
                "occurredOn": tomorrow.isoformat(),
                "hours": -2,
                "description": "",
            }
        },
        hanako,
    )
    errors = body["data"]["recordActivity"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("NOT_REGISTERED", "municipalityCode"),
        ("FUTURE_DATE", "occurredOn"),
        ("INVALID_HOURS", "hours"),
    ]
    assert await snapshot(database) == before


async def test_a_premium_that_ran_out_reads_as_basic(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    registration_id = await register(api, hanako, HAKUBA)
    await become_premium(api, clock, hanako, registration_id)
    clock.advance(timedelta(days=366))
    registration = (await api.op("MyProfile", token=hanako))["data"]["me"]["registrations"][0]
    assert (registration["tier"], registration["premiumUntil"]) == ("BASIC", None)
    assert registration["certificate"]["status"] == "EXPIRED"


async def test_staff_set_their_premium_policy(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    policy = {
        "municipalityCode": HAKUBA,
        "requiredActivities": 5,
        "windowDays": 180,
        "eligibleActivityKinds": ["PRIMARY_INDUSTRY_HELP", "DISASTER_RECOVERY"],
    }
    body = await api.op("SetPremiumPolicy", {"input": policy}, api.staff(HAKUBA))
    assert body["data"]["setPremiumPolicy"] == {
        "municipality": {
            "code": HAKUBA,
            "premiumPolicy": {
                "requiredActivities": 5,
                "windowDays": 180,
                "eligibleActivityKinds": ["PRIMARY_INDUSTRY_HELP", "DISASTER_RECOVERY"],
            },
        },
        "errors": [],
    }
    before = await snapshot(database)
    refused = await api.op(
        "SetPremiumPolicy", {"input": {**policy, "windowDays": 7}}, api.staff(HAKUBA)
    )
    assert refused["data"]["setPremiumPolicy"]["errors"] == [
        {
            "code": "INVALID_POLICY",
            "field": "windowDays",
            "message": "the window is between 30 and 1095 days",
        }
    ]
    assert await snapshot(database) == before


async def test_the_operator_records_participation(api: Api) -> None:
    variables = {
        "input": {"municipalityCode": NAGANO, "agreedOn": "2027-01-20", "startsOn": "2027-02-01"}
    }
    body = await api.op("JoinPlatform", variables, api.operator())
    assert body["data"]["joinPlatform"] == {
        "municipality": {
            "code": NAGANO,
            "participating": True,
            "participation": {
                "agreedOn": "2027-01-20",
                "startsOn": "2027-02-01",
                "earlyAdopter": True,
            },
        },
        "errors": [],
    }
    later = {
        "input": {"municipalityCode": NAGANO, "agreedOn": "2028-01-20", "startsOn": "2028-04-01"}
    }
    corrected = await api.op("JoinPlatform", later, api.operator())
    municipality = corrected["data"]["joinPlatform"]["municipality"]
    assert (municipality["participating"], municipality["participation"]["earlyAdopter"]) == (
        False,
        False,
    )
