"""Steps over HTTP that the integration tests share, each through a contract operation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.clock import FixedClock, japan_date
from tests.integration.conftest import Api

HAKUBA = "204854"
NAGANO = "200000"
HIGASHIKAWA = "014583"
CHIYODA = "131016"
SAPPORO = "011002"


async def join(api: Api, code: str, clock: FixedClock) -> dict[str, Any]:
    today = japan_date(clock.now())
    body = await api.op(
        "JoinPlatform",
        {
            "input": {
                "municipalityCode": code,
                "agreedOn": (today - timedelta(days=30)).isoformat(),
                "startsOn": (today - timedelta(days=1)).isoformat(),
            }
        },
        api.operator(),
    )
    assert body["data"]["joinPlatform"]["errors"] == []
    return body


async def register(api: Api, token: str, code: str, relationship: str = "BIRTHPLACE") -> str:
    body = await api.op(
        "Register",
        {
            "input": {
                "municipalityCode": code,
                "relationship": relationship,
                "interests": ["EVENTS"],
            }
        },
        token,
    )
    payload = body["data"]["register"]
    assert payload["errors"] == [], payload
    registration_id: str = payload["registration"]["id"]
    return registration_id


async def record(api: Api, token: str, code: str, on: date, hours: float = 2.0) -> str:
    body = await api.op(
        "RecordActivity",
        {
            "input": {
                "municipalityCode": code,
                "kind": "VOLUNTEERING",
                "occurredOn": on.isoformat(),
                "hours": hours,
                "description": "草刈り",
            }
        },
        token,
    )
    payload = body["data"]["recordActivity"]
    assert payload["errors"] == [], payload
    activity_id: str = payload["activity"]["id"]
    return activity_id


async def review(
    api: Api, staff_token: str, activity_id: str, approve: bool = True
) -> dict[str, Any]:
    body = await api.op(
        "ReviewActivity",
        {"input": {"activityId": activity_id, "approve": approve, "note": "確認しました"}},
        staff_token,
    )
    return body


async def set_home(api: Api, token: str, code: str) -> None:
    body = await api.op("UpdateProfile", {"input": {"homeMunicipalityCode": code}}, token)
    assert body["data"]["updateProfile"]["errors"] == []


async def become_premium(
    api: Api, clock: FixedClock, person: str, registration_id: str, code: str = HAKUBA
) -> dict[str, Any]:
    """Three verified activities in the window, then the grant; the new premium certificate."""
    today = japan_date(clock.now())
    for days_ago in (1, 2, 3):
        await review(
            api, api.staff(code), await record(api, person, code, today - timedelta(days=days_ago))
        )
    body = await api.op("ApplyForPremium", {"registrationId": registration_id}, person)
    assert body["data"]["applyForPremium"]["errors"] == [], body
    certificate: dict[str, Any] = body["data"]["applyForPremium"]["registration"]["certificate"]
    return certificate
