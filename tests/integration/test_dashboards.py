"""MunicipalityDashboard and NationalOverview: exact for a place's own staff, small counts
suppressed for everyone else, and each person counted once where the rules say so."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from domain.clock import FixedClock
from persistence.unit_of_work import SqlUnitOfWork
from services.figures import publish_figures
from tests.integration.conftest import Api
from tests.integration.steps import CHIYODA, HAKUBA, NAGANO, SAPPORO, join, register, set_home

pytestmark = pytest.mark.database

NAGANO_CITY = "202011"
HOKKAIDO = "010006"
TOKYO = "130001"


def cells(items: list[dict[str, Any]]) -> dict[str, int | None]:
    return {item["key"]: item["count"] for item in items if item["count"] != 0}


async def dashboard(api: Api, code: str, token: str) -> dict[str, Any]:
    body = await api.op("MunicipalityDashboard", {"code": code}, token)
    assert "errors" not in body, body
    stats: dict[str, Any] = body["data"]["municipality"]["stats"]
    return stats


async def twelve_registrants(api: Api, clock: FixedClock) -> None:
    """Eleven from Sapporo for their birthplace, one from Chiyoda as a tourist; the first also
    registers with Nagano City."""
    for code in (HAKUBA, NAGANO, NAGANO_CITY):
        await join(api, code, clock)
    for n in range(12):
        person = api.resident(f"person-{n}")
        await set_home(api, person, SAPPORO if n < 11 else CHIYODA)
        await register(api, person, HAKUBA, "BIRTHPLACE" if n < 11 else "TOURISM")
    await register(api, api.resident("person-0"), NAGANO_CITY)
    await api.publish_figures()


async def test_a_places_own_staff_see_every_count(api: Api, clock: FixedClock) -> None:
    await twelve_registrants(api, clock)
    stats = await dashboard(api, HAKUBA, api.staff(HAKUBA))
    assert (stats["registrants"], stats["basic"], stats["premium"]) == (12, 12, 0)
    assert stats["newLast30Days"] == 12
    assert stats["premiumConversionRate"] == 0
    assert cells(stats["byHomePrefecture"]) == {HOKKAIDO: 11, TOKYO: 1}
    assert cells(stats["byRelationship"]) == {"BIRTHPLACE": 11, "TOURISM": 1}
    assert cells(stats["byInterest"]) == {"EVENTS": 12}
    assert [(m["registrations"], m["withdrawals"]) for m in stats["monthly"]] == [(12, 0)]
    body = await api.run(
        'query { municipality(code: "204854") { stats { registrationsPerResident'
        " { key count } } } }",
        token=api.staff(HAKUBA),
    )
    # person-0 is registered with Nagano City too.
    places = body["data"]["municipality"]["stats"]["registrationsPerResident"]
    assert cells(places) == {"1": 11, "2": 1}


async def test_others_see_small_counts_suppressed_and_not_recoverable(
    api: Api, clock: FixedClock
) -> None:
    await twelve_registrants(api, clock)
    for viewer in (api.staff(NAGANO), api.token("analyst", "analyst")):
        stats = await dashboard(api, HAKUBA, viewer)
        assert stats["registrants"] == 12
        # The lone Tokyo registrant is hidden, and so is Hokkaido's 11, which would give it away.
        assert cells(stats["byHomePrefecture"]) == {HOKKAIDO: None, TOKYO: None}
        assert cells(stats["byRelationship"]) == {"BIRTHPLACE": None, "TOURISM": None}


async def test_no_municipality_is_found_by_subtracting_from_its_prefecture(
    api: Api, clock: FixedClock
) -> None:
    await twelve_registrants(api, clock)
    query = "query($code: String!) { municipality(code: $code) { stats { registrations } } }"

    async def registrations(code: str) -> int | None:
        body = await api.run(query, {"code": code}, api.token("analyst", "analyst"))
        count: int | None = body["data"]["municipality"]["stats"]["registrations"]
        return count

    # Nagano City's one registration would be Nagano's 13 less Hakuba's 12.
    assert [await registrations(code) for code in (NAGANO, HAKUBA, NAGANO_CITY)] == [
        13,
        None,
        None,
    ]


async def test_all_but_a_places_own_staff_see_the_last_publication(
    api: Api, clock: FixedClock
) -> None:
    await twelve_registrants(api, clock)
    published_at = clock.now()
    clock.advance(timedelta(minutes=1))
    await register(api, api.resident("person-12"), HAKUBA)
    query = "query($code: String!) { municipality(code: $code) { stats { registrants asOf } } }"

    async def registrants(token: str) -> tuple[int, str]:
        body = await api.run(query, {"code": HAKUBA}, token)
        stats = body["data"]["municipality"]["stats"]
        return stats["registrants"], stats["asOf"]

    analyst = api.token("analyst", "analyst")
    assert await registrants(api.staff(HAKUBA)) == (13, clock.now().isoformat())
    assert await registrants(analyst) == (12, published_at.isoformat())
    await api.publish_figures()
    assert await registrants(analyst) == (13, clock.now().isoformat())
    # Another worker's turn, a moment later, leaves that publication be.
    recent = timedelta(minutes=5)
    uow = SqlUnitOfWork(api.database)
    assert await publish_figures(uow, clock, unless_published_within=recent) == 0
    # Two workers whose turns come together: one publishes, the other waits and leaves it be.
    clock.advance(timedelta(minutes=10))
    together = await asyncio.gather(
        *(
            publish_figures(SqlUnitOfWork(api.database), clock, unless_published_within=recent)
            for _ in range(2)
        )
    )
    assert sorted(together)[0] == 0 < sorted(together)[1]


async def test_a_prefecture_counts_each_person_once(api: Api, clock: FixedClock) -> None:
    await twelve_registrants(api, clock)
    body = await api.run(
        """query { municipality(code: "200000") { stats { registrants registrations } } }""",
        token=api.staff(NAGANO),
    )
    assert body["data"]["municipality"]["stats"] == {"registrants": 12, "registrations": 13}


async def test_the_nation_in_aggregate(api: Api, clock: FixedClock) -> None:
    await twelve_registrants(api, clock)
    body = await api.op("NationalOverview", {}, api.token("analyst", "analyst"))
    assert "errors" not in body, body
    nation = body["data"]["nationalStats"]
    assert (nation["uniqueResidents"], nation["totalRegistrations"]) == (12, 13)
    assert nation["premiumRegistrations"] == 0
    assert nation["participatingMunicipalities"] == 2
    nagano = next(p for p in nation["byPrefecture"] if p["prefecture"]["code"] == NAGANO)
    assert (nagano["registrations"], nagano["uniqueResidents"]) == (13, 12)
    # One person in two places: a lone count, hidden with the other.
    assert cells(nation["registrationsPerResident"]) == {"1": None, "2": None}
    assert nation["monthly"][0]["registrations"] == 13
    # The country has the breakdowns a place's dashboard has, suppressed likewise.
    body = await api.run(
        "query { nationalStats { newLast30Days byRelationship { key count }"
        " byAgeBand { key count } } }",
        token=api.token("analyst", "analyst"),
    )
    breakdowns = body["data"]["nationalStats"]
    assert breakdowns["newLast30Days"] == 13
    assert cells(breakdowns["byRelationship"]) == {"BIRTHPLACE": None, "TOURISM": None}
    assert cells(breakdowns["byAgeBand"]) == {"UNKNOWN": 12}


@pytest.mark.parametrize(
    ("operation", "variables", "role"),
    [
        ("MunicipalityDashboard", {"code": HAKUBA}, "resident"),
        ("MunicipalityDashboard", {"code": HAKUBA}, "other staff"),
        ("MunicipalityDashboard", {"code": HAKUBA}, "partner"),
        ("NationalOverview", {}, "resident"),
        ("NationalOverview", {}, "partner"),
    ],
)
async def test_who_may_not_see_figures(
    api: Api, clock: FixedClock, operation: str, variables: dict[str, Any], role: str
) -> None:
    await twelve_registrants(api, clock)
    token = {
        "resident": api.resident("person-1"),
        "other staff": api.staff(CHIYODA),
        "partner": api.token("partner", "partner-1", partner="partner-1"),
    }[role]
    body = await api.op(operation, variables, token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_csv_download_discloses_as_the_api_does(api: Api, clock: FixedClock) -> None:
    await twelve_registrants(api, clock)

    async def download(scope: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await api.http.get(f"/exports/stats/{scope}.csv", headers=headers)

    own = await download(HAKUBA, api.staff(HAKUBA))
    assert own.status_code == 200
    assert own.headers["content-type"].startswith("text/csv")
    assert f"{HAKUBA},by_home_prefecture,{TOKYO},1,False" in own.text.splitlines()
    theirs = (await download(HAKUBA, api.staff(NAGANO))).text.splitlines()
    assert f"{HAKUBA},by_home_prefecture,{TOKYO},,True" in theirs
    assert f"{HAKUBA},registrants,,12,False" in theirs
    nation = await download("nation", api.token("analyst", "analyst"))
    assert "nation,total_registrations,,13,False" in nation.text.splitlines()
    refusals = [
        (await download(HAKUBA, None)).status_code,
        (await download(HAKUBA, api.resident("person-1"))).status_code,
        (await download("nation", api.resident("person-1"))).status_code,
        (await download("204855", api.staff(HAKUBA))).status_code,
        (await download("999997", api.token("analyst", "analyst"))).status_code,
    ]
    assert refusals == [401, 403, 403, 400, 404]
