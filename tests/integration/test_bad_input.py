"""Generated bad input through HTTP: the clients' operations with variables of the right and
the wrong types, huge and odd strings, SQL and script fragments, wrong municipality codes;
bodies that are not JSON or not GraphQL. Never an internal error, never half a change, every
refusal a clear one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.clock import FixedClock
from persistence.database import Database
from tests.conftest import TRANSIENT_TABLES
from tests.contract import operations, served
from tests.integration.conftest import Api
from tests.integration.steps import HAKUBA, join, register

pytestmark = pytest.mark.database

# Per database: 500 operations with generated variables and 250 bodies.
VARIABLE_EXAMPLES = 500
BODY_EXAMPLES = 250
CLEAR_CODES = {
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "RATE_LIMITED",
    "TOO_COSTLY",
    "PERSISTED_DOCUMENT_REQUIRED",
}
NAMES = sorted(operations())

odd_text = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "",
            " ",
            "'; DROP TABLE registration; --",
            '" OR 1=1 --',
            "<script>alert(1)</script>",
            "\u0000",
            "\ud7ff\ue000\U0010ffff",
            "ｱｲｳ㈱髙﨑",
            "204854",
            "204855",
            "999997",
            "00000",
            "1" * 7,
            "UmVnaXN0cmF0aW9uOjA=",
            "sha256:00",
            "2027-02-30",
            "9999-12-31T23:59:59+09:00",
        ]
    ),
    st.text(min_size=2000, max_size=6000).map(lambda s: s * 2),
)
scalar = st.one_of(
    odd_text,
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)
    ),
    max_leaves=8,
)
# An input object of the right names with values of any kind, so that the checks behind
# type coercion are reached too.
INPUT_FIELDS = [
    "municipalityCode",
    "relationship",
    "interests",
    "kind",
    "occurredOn",
    "hours",
    "description",
    "displayName",
    "birthYear",
    "homeMunicipalityCode",
    "registrationId",
    "activityId",
    "approve",
    "title",
    "body",
    "validFrom",
    "validUntil",
    "requiredActivities",
    "windowDays",
]
input_object = st.dictionaries(st.sampled_from(INPUT_FIELDS), value, max_size=6)


async def row_counts(database: Database) -> dict[str, int]:
    async with database.read_engine.connect() as connection:
        return {
            table.__tablename__: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in TRANSIENT_TABLES
        }


def clear(response: Any) -> bool:
    """A refusal the caller can act on: a 4xx with a message, or GraphQL errors with codes."""
    if response.status_code in (400, 401, 413):
        return bool(response.text)
    if response.status_code != 200:
        return False
    body = response.json()
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    return codes <= CLEAR_CODES


def refused(response: Any) -> bool:
    if response.status_code != 200:
        return True
    body = response.json()
    if body.get("errors"):
        return True
    payloads = [v for v in (body.get("data") or {}).values() if isinstance(v, dict)]
    return any(payload.get("errors") for payload in payloads)


@pytest.fixture
async def world(api: Api, clock: FixedClock) -> dict[str, str]:
    await join(api, HAKUBA, clock)
    hanako = api.resident("hanako")
    await register(api, hanako, HAKUBA)
    return {"hanako": hanako}


@settings(
    max_examples=VARIABLE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(NAMES),
    variables=st.dictionaries(
        st.sampled_from(
            ["code", "input", "registrationId", "token", "measureId", "first", "after", "search"]
        ),
        st.one_of(value, input_object),
        max_size=4,
    ),
    caller=st.sampled_from(["none", "hanako", "staff", "operator", "partner"]),
)
async def test_generated_variables_never_break_anything(
    api: Api, database: Database, world: dict[str, str], name: str, variables: Any, caller: str
) -> None:
    token = {
        "none": None,
        "hanako": world["hanako"],
        "staff": api.staff(HAKUBA),
        "operator": api.operator(),
        "partner": api.token("partner", "p-1", partner="p-1"),
    }[caller]
    before = await row_counts(database)
    response = await api.post(served(name), variables, token)
    assert clear(response), (name, variables, response.status_code, response.text[:500])
    if refused(response):
        assert await row_counts(database) == before, (name, variables)


bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    value.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "documentId"]), value
    ).map(lambda v: json.dumps(v).encode()),
)


@settings(
    max_examples=BODY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies,
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
    ),
)
async def test_bodies_that_are_not_graphql_are_refused_clearly(
    api: Api, database: Database, world: dict[str, str], body: bytes, content_type: str
) -> None:
    before = await row_counts(database)
    headers = {"Content-Type": content_type} if content_type else {}
    response = await api.http.post("/graphql", content=body, headers=headers)
    assert clear(response), (body[:200], content_type, response.status_code, response.text[:500])
    assert await row_counts(database) == before
