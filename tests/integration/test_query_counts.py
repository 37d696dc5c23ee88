"""Key operations cost a fixed number of SQL statements, however many rows they show."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from domain.clock import FixedClock, japan_date
from tests.integration.conftest import Api, Platform, QueryCounter
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    NAGANO,
    join,
    record,
    register,
    review,
    set_home,
)

pytestmark = pytest.mark.database

PLACES = (HAKUBA, HIGASHIKAWA, NAGANO, "363421", "325252")

# Executed field by field: me (1); registrations (1); certificates, the tokens kept for them,
# premium policies and verified activities, each batched across registrations (4). Places come
# from the process's master data, not SQL.
MY_PROFILE_QUERIES = 6
# Compiled (PostgreSQL, resolvers/compiled.py): everything in one statement.
MY_PROFILE_COMPILED = 1
# Executed: the page, read from the list's index up to its size (1); its total (1); the
# residents on it (1); the read, in the audit log (1).
REGISTRANTS_QUERIES = 4
# Compiled: the page with its residents and its total, and the read in the audit log (1).
REGISTRANTS_COMPILED = 1


@pytest.fixture(params=["compiled", "executed"])
async def either(request: pytest.FixtureRequest, platform: Platform) -> AsyncIterator[Api]:
    """An app with the compiled operations, and one executing every operation."""
    async with platform.api(compiled_operations=request.param == "compiled") as api:
        yield api


def _expected(api: Api, compiled: int, executed: int) -> int:
    """The plans run on PostgreSQL only."""
    on_postgresql = api.database.url.get_backend_name() == "postgresql"
    return compiled if on_postgresql and api.compiled_operations else executed


# the premium policy (1); every figure of the place (1).
DASHBOARD_QUERIES = 2
# Compiled, for the place's own staff: both in one statement.
DASHBOARD_COMPILED = 1
# the published figures of the nation and the prefectures (1), the places taking part (1).
NATIONAL_OVERVIEW_QUERIES = 2


async def test_my_profile(either: Api, clock: FixedClock, queries: QueryCounter) -> None:
    api = either
    for code in PLACES:
        await join(api, code, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    counts = []
    for code in PLACES:
        await register(api, hanako, code)
        await review(
            api,
            api.staff(code),
            await record(api, hanako, code, japan_date(clock.now()) - timedelta(days=1)),
        )
        queries.reset()
        body = await api.op("MyProfile", token=hanako)
        assert "errors" not in body
        counts.append(queries.count)
    expected = _expected(api, MY_PROFILE_COMPILED, MY_PROFILE_QUERIES)
    assert counts == [expected] * len(PLACES), queries.statements


async def test_my_profile_keeps_the_tokens_it_makes_at_once(
    either: Api, clock: FixedClock, queries: QueryCounter
) -> None:
    """Renamed, a resident's every token is made anew (its disclosure names them): all are
    kept in one statement more, and the next read makes none."""
    api = either
    hanako = api.resident()
    for code in PLACES:
        await join(api, code, clock)
        await register(api, hanako, code)
    body = await api.op("UpdateProfile", {"input": {"displayName": "佐藤 華子"}}, hanako)
    assert body["data"]["updateProfile"]["errors"] == []
    counts, tokens = [], []
    for _ in range(2):
        queries.reset()
        body = await api.op("MyProfile", token=hanako)
        counts.append(queries.count)
        tokens.append([g["certificate"]["token"] for g in body["data"]["me"]["registrations"]])
    expected = _expected(api, MY_PROFILE_COMPILED, MY_PROFILE_QUERIES)
    assert counts == [expected + 1, expected], queries.statements
    assert tokens[0] == tokens[1]
    assert len(set(tokens[0])) == len(PLACES)


async def test_registrants(either: Api, clock: FixedClock, queries: QueryCounter) -> None:
    api = either
    await join(api, HAKUBA, clock)
    counts = []
    for n in range(5):
        person = api.resident(f"person-{n}")
        await set_home(api, person, [CHIYODA, "011002", "472018", "131016", "204854"][n])
        await register(api, person, HAKUBA)
        queries.reset()
        body = await api.op("Registrants", {"code": HAKUBA, "first": 50}, api.staff(HAKUBA))
        assert body["data"]["municipality"]["registrations"]["totalCount"] == n + 1
        counts.append(queries.count)
    expected = _expected(api, REGISTRANTS_COMPILED, REGISTRANTS_QUERIES)
    assert counts == [expected] * 5, queries.statements


async def test_many_places_registrants_at_once(
    api: Api, clock: FixedClock, queries: QueryCounter
) -> None:
    """Prefecture staff listing each of its places' registrants: one statement for all their
    pages, one for all their totals."""
    for code in (NAGANO, HAKUBA, "202011"):
        await join(api, code, clock)
        await register(api, api.resident(f"person-{code}"), code)
    query = """query { municipalities(prefectureCode: "200000", first: 100) {
        edges { node { code registrations(first: 5) { totalCount edges { node { id } } } } } } }"""
    queries.reset()
    body = await api.run(query, token=api.staff(NAGANO))
    assert "errors" not in body
    totals = {
        e["node"]["code"]: e["node"]["registrations"]["totalCount"]
        for e in body["data"]["municipalities"]["edges"]
    }
    assert (totals[NAGANO], totals[HAKUBA], totals["202011"], totals["204072"]) == (3, 1, 1, 0)
    # the list and its total (2); every municipality's page (1) and their totals (1), the
    # prefecture's own page (1) and total (1); the reads of the three places with registrants,
    # in the audit log together (1).
    assert queries.count == 7, queries.statements


async def test_dashboards(either: Api, clock: FixedClock, queries: QueryCounter) -> None:
    api = either
    await join(api, HAKUBA, clock)
    counts = []
    for n in range(3):
        await register(api, api.resident(f"person-{n}"), HAKUBA)
        queries.reset()
        body = await api.op("MunicipalityDashboard", {"code": HAKUBA}, api.staff(HAKUBA))
        assert body["data"]["municipality"]["stats"]["registrants"] == n + 1
        dashboard = queries.count
        queries.reset()
        body = await api.op("NationalOverview", {}, api.token("analyst", "analyst"))
        assert "errors" not in body
        counts.append((dashboard, queries.count))
    dashboard = _expected(api, DASHBOARD_COMPILED, DASHBOARD_QUERIES)
    assert counts == [(dashboard, NATIONAL_OVERVIEW_QUERIES)] * 3, queries.statements
