"""Every operation of the schema against every role, on one's own records and on another's:
what each may do, and for each refusal, proof that nothing changed and nothing leaked.

Outcomes: `ok`; `--` refused for role or place (UNAUTHENTICATED without a token, FORBIDDEN
with one); `nf` answered as if the record did not exist (null, or a *_NOT_FOUND error), so
that a foreign id is no oracle; `rf` refused by a rule of the scheme, not by who asks. A field
added to Query, Mutation or Subscription, or a gated field of Municipality, without a row here
fails the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLError

from domain.clock import FixedClock, japan_date
from domain.roles import Actor, Role
from persistence.database import Database
from resolvers.inputs import global_id
from schema.root import schema
from tests.integration.conftest import Api, snapshot
from tests.integration.steps import HAKUBA, HIGASHIKAWA, NAGANO, join, record, register

pytestmark = pytest.mark.database

ROLES = (
    "none",
    "resident",  # 花子, whose records these are
    "other resident",
    "staff",  # of 白馬村, where the records are
    "staff elsewhere",
    "prefecture staff",  # of 長野県
    "analyst",
    "partner",
    "integration",  # 白馬村's own system
    "operator",
)
MARKER = "花子MARKER"
World = dict[str, str]


@dataclass(frozen=True)
class Row:
    document: str
    variables: Callable[[World], dict[str, Any]]
    path: tuple[str, ...]
    outcomes: str
    # Sent as the variable `file` of a multipart request.
    file: tuple[str, bytes] | None = None


def _none(_world: World) -> dict[str, Any]:
    return {}


def _hakuba(_world: World) -> dict[str, Any]:
    return {"code": HAKUBA}


def _input(**fields: Any) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"input": {k: v(world) if callable(v) else v for k, v in fields.items()}}


PLACE_FIELD = "query($code: String!) {{ municipality(code: $code) {{ {} }} }}"
TODAY = "2027-01-15"

#                                       none res oth stf els pre ana par int opr
OPERATIONS: dict[str, Row] = {
    "me": Row("{ me { id displayName } }", _none, ("me",), "-- ok ok -- -- -- -- -- -- --"),
    "myFeed": Row(
        "{ myFeed(first: 5) { totalCount } }", _none, ("myFeed",), "-- ok ok -- -- -- -- -- -- --"
    ),
    "nationalStats": Row(
        "{ nationalStats { totalRegistrations } }",
        _none,
        ("nationalStats",),
        "-- -- -- ok ok ok ok -- -- ok",
    ),
    "municipalities": Row(
        "{ municipalities(first: 1) { totalCount } }",
        _none,
        ("municipalities",),
        "ok ok ok ok ok ok ok ok ok ok",
    ),
    "municipality": Row(
        PLACE_FIELD.format("code name"),
        _hakuba,
        ("municipality",),
        "ok ok ok ok ok ok ok ok ok ok",
    ),
    "municipality.stats": Row(
        PLACE_FIELD.format("stats { registrants }"),
        _hakuba,
        ("municipality", "stats"),
        "-- -- -- ok -- ok ok -- -- --",
    ),
    "municipality.registrations": Row(
        PLACE_FIELD.format(
            "registrations { totalCount edges { node { resident { displayName } } } }"
        ),
        _hakuba,
        ("municipality", "registrations"),
        "-- -- -- ok -- ok -- -- -- --",
    ),
    "municipality.activities": Row(
        PLACE_FIELD.format("activities { totalCount edges { node { resident { displayName } } } }"),
        _hakuba,
        ("municipality", "activities"),
        "-- -- -- ok -- ok -- -- -- --",
    ),
    "municipality.auditTrail": Row(
        PLACE_FIELD.format("auditTrail { totalCount edges { node { subject records } } }"),
        _hakuba,
        ("municipality", "auditTrail"),
        "-- -- -- ok -- ok -- -- -- --",
    ),
    "municipality.importJobs": Row(
        PLACE_FIELD.format("importJobs { totalCount edges { node { fileName rejected } } }"),
        _hakuba,
        ("municipality", "importJobs"),
        "-- -- -- ok -- ok -- -- ok --",
    ),
    "verifyCertificate": Row(
        'query { verifyCertificate(token: "not-a-certificate") { valid } }',
        _none,
        ("verifyCertificate",),
        "-- -- -- -- -- -- -- ok -- --",
    ),
    "supportEligibility": Row(
        'query($measure: ID!) { supportEligibility(certificateToken: "x", measureId: $measure)'
        " { eligible } }",
        lambda world: {"measure": world["measure"]},
        ("supportEligibility",),
        "-- -- -- -- -- -- -- ok -- --",
    ),
    "node": Row(
        "query($id: ID!) { node(id: $id) { id } }",
        lambda world: {"id": world["registration"]},
        ("node",),
        "-- ok nf ok nf ok nf nf nf nf",
    ),
    "_service": Row("{ _service { sdl } }", _none, ("_service",), "ok ok ok ok ok ok ok ok ok ok"),
    "_entities": Row(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Resident { id } } }",
        lambda world: {"r": [{"__typename": "Resident", "id": world["resident"]}]},
        ("_entities",),
        "-- ok nf nf nf nf nf nf nf nf",
    ),
    "updateProfile": Row(
        "mutation($input: UpdateProfileInput!) { updateProfile(input: $input)"
        " { resident { id } errors { code } } }",
        _input(displayName="誰か"),
        ("updateProfile",),
        "-- ok ok -- -- -- -- -- -- --",
    ),
    "register": Row(
        "mutation($input: RegisterInput!) { register(input: $input)"
        " { registration { id } errors { code } } }",
        _input(municipalityCode=HIGASHIKAWA, relationship="TOURISM"),
        ("register",),
        "-- ok ok -- -- -- -- -- -- --",
    ),
    "withdraw": Row(
        "mutation($id: ID!) { withdraw(input: { registrationId: $id })"
        " { registration { id } errors { code } } }",
        lambda world: {"id": world["registration"]},
        ("withdraw",),
        "-- ok nf -- -- -- -- -- -- --",
    ),
    "recordActivity": Row(
        "mutation($input: RecordActivityInput!) { recordActivity(input: $input)"
        " { activity { id } errors { code } } }",
        _input(municipalityCode=HAKUBA, kind="OTHER", occurredOn=TODAY, hours=1),
        ("recordActivity",),
        "-- ok rf -- -- -- -- -- -- --",
    ),
    "applyForPremium": Row(
        "mutation($id: ID!) { applyForPremium(input: { registrationId: $id })"
        " { registration { id } errors { code } } }",
        lambda world: {"id": world["registration"]},
        ("applyForPremium",),
        "-- rf nf -- -- -- -- -- -- --",
    ),
    "reviewActivity": Row(
        "mutation($input: ReviewActivityInput!) { reviewActivity(input: $input)"
        " { activity { id } errors { code } } }",
        _input(activityId=lambda world: world["activity"], approve=True),
        ("reviewActivity",),
        "-- -- -- ok nf nf -- -- -- --",
    ),
    "setPremiumPolicy": Row(
        "mutation($input: PremiumPolicyInput!) { setPremiumPolicy(input: $input)"
        " { municipality { code } errors { code } } }",
        _input(
            municipalityCode=HAKUBA,
            requiredActivities=1,
            windowDays=30,
            eligibleActivityKinds=["OTHER"],
        ),
        ("setPremiumPolicy",),
        "-- -- -- ok -- -- -- -- -- --",
    ),
    "createSupportMeasure": Row(
        "mutation($input: SupportMeasureInput!) { createSupportMeasure(input: $input)"
        " { supportMeasure { id } errors { code } } }",
        _input(municipalityCode=HAKUBA, title="温泉割引", validFrom=TODAY, validUntil="2027-12-31"),
        ("createSupportMeasure",),
        "-- -- -- ok -- -- -- -- -- --",
    ),
    "publishNotice": Row(
        "mutation($input: PublishNoticeInput!) { publishNotice(input: $input)"
        " { notice { id } errors { code } } }",
        _input(municipalityCode=HAKUBA, kind="NEWS", title="お知らせ"),
        ("publishNotice",),
        "-- -- -- ok -- -- -- -- -- --",
    ),
    "joinPlatform": Row(
        "mutation($input: JoinPlatformInput!) { joinPlatform(input: $input)"
        " { municipality { code } errors { code } } }",
        _input(municipalityCode=NAGANO, agreedOn=TODAY, startsOn=TODAY),
        ("joinPlatform",),
        "-- -- -- -- -- -- -- -- -- ok",
    ),
    "importList": Row(
        "mutation($code: String!, $file: Upload!) { importList(municipalityCode: $code,"
        " kind: REGISTRATIONS, file: $file) { job { accepted } errors { code } } }",
        _hakuba,
        ("importList",),
        "-- -- -- -- -- -- -- -- ok --",
        file=("list.csv", "外部ID,関係,登録日\nK-1,観光,2027-01-02\n".encode()),
    ),
}

# Subscriptions run over WebSocket (tests/integration/test_subscriptions.py); here, the
# permissions they declare, asked for each role with their arguments.
SUBSCRIPTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "feedUpdates": ({}, "-- ok ok -- -- -- -- -- -- --"),
    "municipalEvents": ({"municipality_code": HAKUBA}, "-- -- -- ok -- ok -- -- -- --"),
}

GATED_MUNICIPALITY_FIELDS = {"stats", "registrations", "activities", "auditTrail", "importJobs"}


def tokens(api: Api, world: World) -> dict[str, str | None]:
    return {
        "none": None,
        "resident": world["hanako"],
        "other resident": api.resident("taro"),
        "staff": api.staff(HAKUBA),
        "staff elsewhere": api.staff(HIGASHIKAWA),
        "prefecture staff": api.staff(NAGANO),
        "analyst": api.token("analyst", "analyst"),
        "partner": api.token("partner", "partner-1", partner="partner-1"),
        "integration": api.token("integration", "hakuba-system", municipality=HAKUBA),
        "operator": api.operator(),
    }


def _fields(type_name: str) -> list[Any]:
    definition = schema.get_type_by_name(type_name)
    assert definition is not None
    return list(definition.fields)  # type: ignore[union-attr]


def _name(field: Any) -> str:
    return schema.config.name_converter.get_graphql_name(field)


def test_every_operation_has_a_row_for_every_role() -> None:
    fields = {_name(field) for type_name in ("Query", "Mutation") for field in _fields(type_name)}
    fields |= {
        f"municipality.{_name(field)}"
        for field in _fields("Municipality")
        if field.permission_classes
    }
    assert fields == set(OPERATIONS)
    assert {_name(field) for field in _fields("Subscription")} == set(SUBSCRIPTIONS)
    assert {
        name.removeprefix("municipality.") for name in OPERATIONS if "." in name
    } == GATED_MUNICIPALITY_FIELDS
    every = [row.outcomes for row in OPERATIONS.values()]
    every += [outcomes for _arguments, outcomes in SUBSCRIPTIONS.values()]
    assert all(len(outcomes.split()) == len(ROLES) for outcomes in every)


async def world_of(api: Api, clock: FixedClock) -> World:
    """白馬村 and 東川町 take part; 花子 is registered with 白馬村, has a pending activity
    there, and a name only she and 白馬村's staff may read."""
    await join(api, HAKUBA, clock)
    await join(api, HIGASHIKAWA, clock)
    hanako = api.resident("hanako")
    await api.op("UpdateProfile", {"input": {"displayName": MARKER}}, hanako)
    me = await api.op("MyProfile", {}, hanako)
    registration = await register(api, hanako, HAKUBA)
    activity = await record(api, hanako, HAKUBA, japan_date(clock.now()) - timedelta(days=1))
    return {
        "hanako": hanako,
        "resident": me["data"]["me"]["id"],
        "registration": registration,
        "activity": activity,
        "measure": global_id("SupportMeasure", uuid.uuid4()),
    }


def outcome(body: dict[str, Any], path: tuple[str, ...]) -> str:
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    if codes & {"UNAUTHENTICATED", "FORBIDDEN"}:
        return "--"
    assert not codes, body
    value: Any = body["data"]
    for key in path:
        value = value[key] if value is not None else None
    # A list of entities with none visible answers as a list of unknown ones.
    if value is None or (isinstance(value, list) and all(v is None for v in value)):
        return "nf"
    errors = value.get("errors") if isinstance(value, dict) else None
    if errors:
        return "nf" if all(e["code"].endswith("NOT_FOUND") for e in errors) else "rf"
    return "ok"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_who_may_do_what(
    api: Api, clock: FixedClock, database: Database, operation: str
) -> None:
    row = OPERATIONS[operation]
    world = await world_of(api, clock)
    expected = dict(zip(ROLES, row.outcomes.split(), strict=True))
    callers = tokens(api, world)
    # Refusals first, each against the same world; what succeeds may change it.
    order = sorted(ROLES, key=lambda role: expected[role] == "ok")
    found: dict[str, str] = {}
    for role in order:
        before = await snapshot(database)
        response = await api.post(row.document, row.variables(world), callers[role], row.file)
        body = response.json()
        found[role] = outcome(body, row.path)
        if found[role] != "ok":
            assert await snapshot(database) == before, (operation, role)
            assert MARKER not in response.text, (operation, role)
    assert found == expected


@pytest.mark.parametrize("subscription", sorted(SUBSCRIPTIONS))
async def test_who_may_subscribe_to_what(subscription: str) -> None:
    arguments, outcomes = SUBSCRIPTIONS[subscription]
    (field,) = [f for f in _fields("Subscription") if _name(f) == subscription]
    actors: dict[str, Actor | None] = {
        "none": None,
        "resident": Actor("hanako", Role.RESIDENT),
        "other resident": Actor("taro", Role.RESIDENT),
        "staff": Actor("s", Role.STAFF, HAKUBA),
        "staff elsewhere": Actor("s", Role.STAFF, HIGASHIKAWA),
        "prefecture staff": Actor("s", Role.STAFF, NAGANO),
        "analyst": Actor("a", Role.ANALYST),
        "partner": Actor("p", Role.PARTNER, partner_id="p"),
        "integration": Actor("i", Role.INTEGRATION, HAKUBA),
        "operator": Actor("o", Role.OPERATOR),
    }
    found = {}
    for role, actor in actors.items():
        info: Any = SimpleNamespace(context=SimpleNamespace(actor=actor))
        try:
            answers = [await _ask(cls(), info, arguments) for cls in field.permission_classes]
        except GraphQLError as error:
            # Without a token: UNAUTHENTICATED; anything else shows up as unexpected.
            found[role] = "--" if error.extensions == {"code": "UNAUTHENTICATED"} else str(error)
            continue
        found[role] = "ok" if all(answers) else "--"
    assert found == dict(zip(ROLES, outcomes.split(), strict=True))


async def _ask(permission: Any, info: Any, arguments: dict[str, Any]) -> bool:
    answer = permission.has_permission(None, info, **arguments)
    return bool(await answer) if hasattr(answer, "__await__") else bool(answer)
