"""Every compiled operation (resolvers/compiled.py) answers as ordinary execution does: the
same data, the same refusals, the same audit entries. Each case runs through an app with the
plans and one without, on the same database, and the answers are compared.

PostgreSQL only: the plans' statements are PostgreSQL's, and on SQLite both apps would
execute field by field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from domain.clock import FixedClock, japan_date
from edge.persisted_documents import by_name, document_id
from persistence import tables
from persistence.database import Database
from resolvers.compiled import PLANS
from tests.contract import operations, served
from tests.integration.conftest import Api, Platform, QueryCounter
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    NAGANO,
    become_premium,
    join,
    record,
    register,
    review,
    set_home,
)
from tests.integration.test_certificates import create_measure

pytestmark = pytest.mark.database
ON_POSTGRESQL = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

HAKUBA_NEIGHBOUR = "202011"  # 長野市, in 長野県 as 白馬村 is


async def _audit_log(database: Database) -> list[tuple[Any, ...]]:
    async with database.read_engine.connect() as connection:
        rows = await connection.execute(select(tables.AuditEntry).order_by(text("id")))
        # Everything but the id, which each entry gets anew.
        return [
            (
                r.at,
                r.kind,
                r.subject,
                r.role,
                r.acting_for,
                r.operation,
                r.municipality_code,
                r.records,
            )
            for r in rows
        ]


class BothWays:
    def __init__(self, compiled: Api, executed: Api, database: Database) -> None:
        self.compiled, self.executed, self.database = compiled, executed, database

    async def same(
        self, name: str, variables: dict[str, Any], token: str, **body: Any
    ) -> dict[str, Any]:
        """The answer (and audit entries) of both apps to one request, compared."""
        request = {"query": served(name), "variables": variables, **body}
        return await self.same_request(token, json=request)

    async def same_request(self, token: str, method: str = "POST", **sent: Any) -> dict[str, Any]:
        """Any request to /graphql (httpx's arguments), both ways, compared."""
        answers, logs = [], []
        extra = sent.pop("headers", {})
        for api in (self.compiled, self.executed):
            before = len(await _audit_log(self.database))
            headers = {"Authorization": f"Bearer {token}", **extra}
            response = await api.http.request(method, "/graphql", headers=headers, **sent)
            json_sent = response.headers["content-type"] == "application/json"
            answers.append((response.status_code, response.json() if json_sent else response.text))
            logs.append((await _audit_log(self.database))[before:])
        # Certificate tokens included: the first way keeps the tokens it makes, the second
        # shows the same ones.
        assert answers[0] == answers[1]
        assert logs[0] == logs[1]
        status, answer = answers[0]
        return answer if isinstance(answer, dict) else {"status": status, "errors": [answer]}


@pytest.fixture
async def both(platform: Platform, database: Database) -> Any:
    async with (
        platform.api() as compiled,
        platform.api(compiled_operations=False) as executed,
    ):
        yield BothWays(compiled, executed, database)


async def _people(api: Api, clock: FixedClock) -> dict[str, str]:
    """Residents in every state MyProfile and Registrants show."""
    for code in (HAKUBA, HIGASHIKAWA, NAGANO, HAKUBA_NEIGHBOUR):
        await join(api, code, clock)
    hanako, jiro = api.resident("hanako"), api.resident("jiro")
    # Not verified by the My Number Card, no home: other refusals.
    ichiro = api.resident("ichiro", verified=False)
    await set_home(api, hanako, CHIYODA)
    premium = await register(api, hanako, HAKUBA)
    await become_premium(api, clock, hanako, premium)
    await register(api, hanako, HIGASHIKAWA, "FAMILY")
    withdrawn = await register(api, hanako, NAGANO)
    body = await api.op("Withdraw", {"registrationId": withdrawn}, hanako)
    assert body["data"]["withdraw"]["errors"] == []
    policy = {
        "municipalityCode": HIGASHIKAWA,
        "requiredActivities": 1,
        "windowDays": 30,
        "eligibleActivityKinds": ["VOLUNTEERING"],
    }
    body = await api.op("SetPremiumPolicy", {"input": policy}, api.staff(HIGASHIKAWA))
    assert body["data"]["setPremiumPolicy"]["errors"] == []
    today = japan_date(clock.now())
    for days_ago in (3, 40):
        activity = await record(api, hanako, HIGASHIKAWA, today - timedelta(days=days_ago))
        await review(api, api.staff(HIGASHIKAWA), activity)
    await register(api, ichiro, HAKUBA, "WORK_OR_STUDY")
    await register(api, jiro, HAKUBA_NEIGHBOUR)
    for n in range(4):
        # Instants with microseconds too, which the DateTime scalar then writes.
        clock.advance(timedelta(minutes=1, microseconds=120050))
        await register(api, api.resident(f"person-{n}", name=f"住民 {n}"), HAKUBA)
    return {"hanako": hanako, "ichiro": ichiro, "jiro": jiro}


@ON_POSTGRESQL
async def test_my_profile(both: BothWays, clock: FixedClock) -> None:
    people = await _people(both.executed, clock)
    for token in people.values():
        answer = await both.same("MyProfile", {}, token)
        assert answer["data"]["me"]["registrations"]
    # A year on: premium ran out and its certificate ended, activities left the window.
    clock.advance(timedelta(days=400))
    answer = await both.same("MyProfile", {}, people["hanako"])
    assert {r["tier"] for r in answer["data"]["me"]["registrations"]} == {"BASIC"}


@ON_POSTGRESQL
async def test_my_profile_with_two_ended_certificates_of_one_instant(
    both: BothWays, clock: FixedClock
) -> None:
    """Premium granted and the registration withdrawn at the same instant: the basic
    certificate superseded and the premium one revoked, both issued then. Both ways show the
    same one."""
    people = await _people(both.executed, clock)
    api, hanako = both.executed, people["hanako"]
    me = (await api.op("MyProfile", {}, hanako))["data"]["me"]
    family = next(r["id"] for r in me["registrations"] if r["relationship"] == "FAMILY")
    body = await api.op("ApplyForPremium", {"registrationId": family}, hanako)
    assert body["data"]["applyForPremium"]["errors"] == [], body
    body = await api.op("Withdraw", {"registrationId": family}, hanako)
    assert body["data"]["withdraw"]["errors"] == []
    answer = await both.same("MyProfile", {}, hanako)
    shown = next(r for r in answer["data"]["me"]["registrations"] if r["id"] == family)
    assert shown["certificate"]["status"] in {"REVOKED", "SUPERSEDED"}


@ON_POSTGRESQL
async def test_my_profile_refusals_and_first_calls(both: BothWays, clock: FixedClock) -> None:
    await _people(both.executed, clock)
    api = both.executed
    # A first call creates the resident; a token adding a verification stores it: both
    # writes of ordinary execution, which the compiled app leaves to it.
    for token in (api.resident("new-person"), api.resident("ichiro", verified=True)):
        before = len(await _audit_log(both.database))
        response = await both.compiled.http.post(
            "/graphql",
            json={"query": served("MyProfile")},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert "errors" not in response.json()
        changes = (await _audit_log(both.database))[before:]
        assert [(entry[1], entry[5]) for entry in changes] == [("CHANGE", "query MyProfile")]
        await both.same("MyProfile", {}, token)
    answer = await both.same("MyProfile", {}, api.staff(HAKUBA))
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await both.same("MyProfile", {"unexpected": 1}, api.resident("hanako"))
    answer = await both.same("MyProfile", {}, api.resident("hanako"), operationName="Other")
    assert answer == {"status": 400, "errors": ['Unknown operation named "Other".']}
    # Requests the plans leave to ordinary execution as they come: text and documentId both, a
    # batch, a GET, a body that is no JSON.
    hanako, sent = api.resident("hanako"), document_id(by_name()["MyProfile"])
    answer = await both.same("MyProfile", {}, hanako, documentId=sent)
    assert answer["status"] == 400
    await both.same_request(hanako, json=[{"query": served("MyProfile")}])
    await both.same_request(hanako, "GET", params={"documentId": sent})
    await both.same_request(
        hanako, content=b"{not json", headers={"Content-Type": "application/json"}
    )


@ON_POSTGRESQL
async def test_registrants(both: BothWays, clock: FixedClock) -> None:
    await _people(both.executed, clock)
    api = both.executed
    cases: list[tuple[str, dict[str, Any]]] = [
        (HAKUBA, {"code": HAKUBA, "first": 50}),
        (HAKUBA, {"code": HAKUBA}),
        (HAKUBA, {"code": HAKUBA, "tier": "PREMIUM", "first": 10}),
        (HAKUBA, {"code": HAKUBA, "tier": "BASIC", "first": 10}),
        (HAKUBA, {"code": HAKUBA, "first": 0}),
        (NAGANO, {"code": NAGANO, "first": 50}),
        (NAGANO, {"code": HAKUBA, "first": 3}),
        (HIGASHIKAWA, {"code": HIGASHIKAWA, "first": 5}),
    ]
    for staff, variables in cases:
        await both.same("Registrants", variables, api.staff(staff))
    # Page by page to the end.
    after = None
    seen = 0
    while True:
        answer = await both.same(
            "Registrants", {"code": HAKUBA, "first": 2, "after": after}, api.staff(HAKUBA)
        )
        page = answer["data"]["municipality"]["registrations"]
        seen += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == page["totalCount"] == 6
    clock.advance(timedelta(days=400))
    await both.same("Registrants", {"code": HAKUBA, "tier": "BASIC"}, api.staff(HAKUBA))


@ON_POSTGRESQL
async def test_registrants_refusals(both: BothWays, clock: FixedClock) -> None:
    await _people(both.executed, clock)
    api = both.executed
    refused: list[tuple[dict[str, Any], str]] = [
        ({"code": HAKUBA}, api.staff(HIGASHIKAWA)),
        ({"code": HAKUBA}, api.resident("hanako")),
        ({"code": HAKUBA}, api.token("integration", "system", municipality=HAKUBA)),
        ({"code": "204855"}, api.staff(HAKUBA)),
        ({"code": "999999"}, api.staff(HAKUBA)),
        ({"code": HAKUBA, "first": 101}, api.staff(HAKUBA)),
        ({"code": HAKUBA, "first": True}, api.staff(HAKUBA)),
        ({"code": HAKUBA, "first": 2**40}, api.staff(HAKUBA)),
        ({"code": HAKUBA, "after": "not a cursor"}, api.staff(HAKUBA)),
        ({"code": HAKUBA, "tier": "GOLD"}, api.staff(HAKUBA)),
        ({"code": 204854}, api.staff(HAKUBA)),
        ({}, api.staff(HAKUBA)),
    ]
    for variables, token in refused:
        answer = await both.same("Registrants", variables, token)
        assert "errors" in answer, variables


@ON_POSTGRESQL
async def test_support_eligibility(both: BothWays, clock: FixedClock) -> None:
    people = await _people(both.executed, clock)
    api = both.executed
    # A certificate shown after its registration was withdrawn.
    neighbour = await register(api, people["hanako"], HAKUBA_NEIGHBOUR)
    me = (await api.op("MyProfile", {}, people["hanako"]))["data"]["me"]
    revoked = next(r for r in me["registrations"] if r["id"] == neighbour)["certificate"]["token"]
    body = await api.op("Withdraw", {"registrationId": neighbour}, people["hanako"])
    assert body["data"]["withdraw"]["errors"] == []
    me = (await api.op("MyProfile", {}, people["hanako"]))["data"]["me"]
    tokens = [r["certificate"]["token"] for r in me["registrations"]] + [revoked]
    measures = []
    for fields in (
        {},
        {"minimumTier": "PREMIUM"},
        {"municipalityCode": NAGANO},
        {"validFrom": "2027-06-01"},
        {"partnerId": "partner-2"},
    ):
        staff = api.staff(fields.get("municipalityCode", HAKUBA))
        created = await create_measure(api, staff, **fields)
        assert created["errors"] == [], created
        measures.append(created["supportMeasure"]["id"])
    partner = api.token("partner", "partner-1", partner="partner-1")
    shown = [t for t in tokens if t] + ["not a token", "a.b.c~", "x" * 9000]
    for token in shown:
        for measure in measures:
            await both.same("SupportEligibility", {"token": token, "measureId": measure}, partner)
    for variables, caller in [
        ({"token": shown[0], "measureId": measures[0]}, api.staff(HAKUBA)),
        ({"token": shown[0], "measureId": "not an id"}, partner),
        ({"token": shown[0], "measureId": me["registrations"][0]["id"]}, partner),
        ({"token": shown[0], "measureId": 7}, partner),
        ({"token": None, "measureId": measures[0]}, partner),
    ]:
        answer = await both.same("SupportEligibility", variables, caller)
        assert "errors" in answer
    clock.advance(timedelta(days=400))
    await both.same("SupportEligibility", {"token": shown[0], "measureId": measures[0]}, partner)


@ON_POSTGRESQL
async def test_support_eligibility_within_the_partners_rate(
    platform: Platform, clock: FixedClock
) -> None:
    """The plans take a partner's rate as ordinary execution does: the limit of one app
    refuses the same call in both ways."""
    async with (
        platform.api(partner_requests_per_minute=2) as compiled,
        platform.api(partner_requests_per_minute=2, compiled_operations=False) as executed,
    ):
        people = await _people(executed, clock)
        me = (await executed.op("MyProfile", {}, people["hanako"]))["data"]["me"]
        token = me["registrations"][0]["certificate"]["token"]
        measure = (await create_measure(executed, executed.staff(HAKUBA)))["supportMeasure"]["id"]
        partner = executed.token("partner", "partner-1", partner="partner-1")
        answers = []
        for api in (compiled, executed):
            for _ in range(3):
                body = await api.op(
                    "SupportEligibility", {"token": token, "measureId": measure}, partner
                )
                answers.append(body.get("errors", [{}])[0].get("extensions", {}).get("code"))
        assert answers == [None, None, "RATE_LIMITED"] * 2


@ON_POSTGRESQL
async def test_municipality_dashboard(both: BothWays, clock: FixedClock) -> None:
    await _people(both.executed, clock)
    api = both.executed
    await api.publish_figures()
    for code, token in [
        (HAKUBA, api.staff(HAKUBA)),
        (HIGASHIKAWA, api.staff(HIGASHIKAWA)),
        (NAGANO, api.staff(NAGANO)),
        (HAKUBA, api.staff(NAGANO)),
        (HAKUBA, api.token("analyst", "analyst")),
        (HAKUBA_NEIGHBOUR, api.staff(HAKUBA_NEIGHBOUR)),
        ("011002", api.staff("011002")),
    ]:
        answer = await both.same("MunicipalityDashboard", {"code": code}, token)
        assert "errors" not in answer, answer
    refused: list[tuple[dict[str, Any], str]] = [
        ({"code": HAKUBA}, api.staff(HIGASHIKAWA)),
        ({"code": HAKUBA}, api.resident("hanako")),
        ({"code": "204855"}, api.staff("204855")),
        ({"code": None}, api.staff(HAKUBA)),
    ]
    for variables, token in refused:
        answer = await both.same("MunicipalityDashboard", variables, token)
        assert "errors" in answer, variables
    clock.advance(timedelta(days=40))
    await both.same("MunicipalityDashboard", {"code": HAKUBA}, api.staff(HAKUBA))


@ON_POSTGRESQL
async def test_plans_answer_the_common_case(
    both: BothWays, clock: FixedClock, queries: QueryCounter
) -> None:
    """The compiled path is taken (one statement each, a staff read's audit entry included),
    by documentId as by text; the same requests executed take more."""
    people = await _people(both.executed, clock)
    # Each app reads the master data of places once, on its first request.
    me = (await both.same("MyProfile", {}, people["hanako"]))["data"]["me"]
    shown = {"token": me["registrations"][0]["certificate"]["token"]}
    created = await create_measure(both.executed, both.executed.staff(HAKUBA))
    shown["measureId"] = created["supportMeasure"]["id"]
    partner = both.executed.token("partner", "partner-1", partner="partner-1")
    cases = [
        ("MyProfile", {}, people["hanako"], 1),
        ("Registrants", {"code": HAKUBA, "first": 50}, both.executed.staff(HAKUBA), 1),
        ("SupportEligibility", shown, partner, 1),
        ("MunicipalityDashboard", {"code": HAKUBA}, both.executed.staff(HAKUBA), 1),
    ]
    for name, variables, token, statements in cases:
        headers = {"Authorization": f"Bearer {token}"}
        sent = document_id(by_name()[name])
        for request in ({"query": served(name)}, {"documentId": sent}):
            queries.reset()
            response = await both.compiled.http.post(
                "/graphql", json={**request, "variables": variables}, headers=headers
            )
            assert "errors" not in response.json()
            assert queries.count == statements, queries.statements
            queries.reset()
            await both.executed.http.post(
                "/graphql", json={**request, "variables": variables}, headers=headers
            )
            assert queries.count > statements


def test_every_plan_is_a_query_of_the_contract() -> None:
    """A plan answers reads only, and only of an operation the clients send."""
    for name in PLANS:
        assert operations()[name].operation.value == "query", name
