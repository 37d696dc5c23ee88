"""Notices and the resident's feed, through the clients' operations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.clock import FixedClock
from persistence.database import Database
from tests.integration.conftest import Api, snapshot
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    NAGANO,
    become_premium,
    join,
    register,
    set_home,
)

pytestmark = pytest.mark.database


async def publish(api: Api, staff: str, **fields: Any) -> dict[str, Any]:
    notice = {
        "municipalityCode": HAKUBA,
        "kind": "EVENT",
        "title": "冬まつり",
        "body": "雪像づくりの担い手を募集します",
        "interests": ["EVENTS"],
        "audience": "ALL",
        **fields,
    }
    body = await api.op("PublishNotice", {"input": notice}, staff)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["publishNotice"]
    return payload


async def feed(api: Api, token: str, **variables: Any) -> list[str]:
    body = await api.op("MyFeed", variables, token)
    assert "errors" not in body, body
    return [e["node"]["title"] for e in body["data"]["myFeed"]["edges"]]


async def test_the_feed_holds_what_reaches_each_resident(api: Api, clock: FixedClock) -> None:
    for code in (HAKUBA, NAGANO, HIGASHIKAWA):
        await join(api, code, clock)
    hanako, ichiro = api.resident(), api.resident("ichiro")
    await register(api, hanako, HAKUBA)
    await api.op("UpdateProfile", {"input": {"interests": ["EVENTS"]}}, hanako)
    higashikawa = await register(api, ichiro, HIGASHIKAWA)

    def later() -> None:
        clock.advance(timedelta(minutes=1))

    staff = api.staff(HAKUBA)
    assert (await publish(api, staff, title="村の冬まつり"))["errors"] == []
    later()
    await publish(
        api, api.staff(NAGANO), municipalityCode=NAGANO, title="県のお知らせ", interests=[]
    )
    later()
    await publish(api, staff, title="移住相談会", interests=["MIGRATION_AND_HOUSING"])
    later()
    await publish(api, staff, title="担い手だけの集い", audience="PREMIUM", interests=[])
    later()
    await publish(api, staff, title="終わった催し", interests=[], endsAt=clock.now().isoformat())
    later()
    await publish(api, api.staff(HIGASHIKAWA), municipalityCode=HIGASHIKAWA, title="東川の写真展")
    later()

    # 花子: her village and its prefecture, her interest only, not premium, nothing ended.
    assert await feed(api, hanako) == ["県のお知らせ", "村の冬まつり"]
    assert await feed(api, ichiro) == ["東川の写真展"]
    await api.op("Withdraw", {"registrationId": higashikawa}, ichiro)
    assert await feed(api, ichiro) == []


async def test_premium_only_notices_reach_premium_registrants(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    registration_id = await register(api, hanako, HAKUBA)
    await publish(api, api.staff(HAKUBA), title="担い手だけの集い", audience="PREMIUM")
    assert await feed(api, hanako) == []
    await become_premium(api, clock, hanako, registration_id)
    assert await feed(api, hanako) == ["担い手だけの集い"]


async def test_the_feed_pages_newest_first(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await register(api, hanako, HAKUBA)
    for n in range(5):
        await publish(api, api.staff(HAKUBA), title=f"お知らせ{n}")
        clock.advance(timedelta(minutes=1))
    first = await api.op("MyFeed", {"first": 3}, hanako)
    page = first["data"]["myFeed"]
    assert [e["node"]["title"] for e in page["edges"]] == ["お知らせ4", "お知らせ3", "お知らせ2"]
    assert page["edges"][0]["node"]["municipality"] == {"code": HAKUBA, "name": "白馬村"}
    rest = await api.op("MyFeed", {"first": 3, "after": page["pageInfo"]["endCursor"]}, hanako)
    assert [e["node"]["title"] for e in rest["data"]["myFeed"]["edges"]] == [
        "お知らせ1",
        "お知らせ0",
    ]
    assert rest["data"]["myFeed"]["pageInfo"]["hasNextPage"] is False


async def test_publishing_is_for_the_places_own_staff(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    before = await snapshot(database)
    for token in (api.staff(NAGANO), api.staff(HIGASHIKAWA), api.resident()):
        body = await api.op(
            "PublishNotice",
            {"input": {"municipalityCode": HAKUBA, "kind": "NEWS", "title": "x"}},
            token,
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = await publish(api, api.staff(HAKUBA), title=" ")
    assert [e["code"] for e in refused["errors"]] == ["INVALID_TITLE"]
    not_taking_part = await publish(
        api, api.staff(HIGASHIKAWA), municipalityCode=HIGASHIKAWA, title="x"
    )
    assert [e["code"] for e in not_taking_part["errors"]] == ["MUNICIPALITY_NOT_PARTICIPATING"]
    assert await snapshot(database) == before
