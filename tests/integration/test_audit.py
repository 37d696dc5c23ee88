"""The audit log: every change and every staff read of personal data is written down with who,
when, what and which records; the log is only ever added to."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from domain.clock import FixedClock
from persistence import tables
from persistence.database import Database
from resolvers.inputs import parse_global_id
from tests.integration.conftest import Api
from tests.integration.steps import CHIYODA, HAKUBA, join, register

pytestmark = pytest.mark.database

TRAIL = """query($code: String!, $first: Int, $after: String) {
  municipality(code: $code) {
    auditTrail(first: $first, after: $after) {
      totalCount
      edges { cursor node { kind subject role actingFor operation records } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def entries(database: Database) -> list[tables.AuditEntry]:
    async with database.read_engine.connect() as connection:
        rows = (await connection.execute(select(tables.AuditEntry))).all()
    return [tables.AuditEntry.model_validate(row._mapping) for row in rows]


async def test_a_change_is_written_with_who_what_and_which_records(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    before = len(await entries(database))
    registration_id = await register(api, api.resident("hanako"), HAKUBA)
    (entry,) = (await entries(database))[before:]
    assert (entry.kind, entry.subject, entry.role, entry.operation) == (
        "CHANGE",
        "hanako",
        "resident",
        "mutation Register",
    )
    assert entry.at == clock.now()
    assert entry.municipality_code == HAKUBA
    kinds = sorted(record.split(":")[0] for record in entry.records)
    assert kinds == ["certificate", "registration", "resident"]
    _type, registration_uuid = parse_global_id(registration_id, "id")
    assert f"registration:{registration_uuid}" in entry.records


async def test_a_refused_change_writes_nothing(
    api: Api, clock: FixedClock, database: Database
) -> None:
    # Chiyoda has not joined: the registration is refused, and nothing is written down.
    before = len(await entries(database))
    body = await api.op(
        "Register",
        {"input": {"municipalityCode": CHIYODA, "relationship": "OTHER", "interests": []}},
        api.resident("hanako"),
    )
    assert body["data"]["register"]["errors"]
    assert len(await entries(database)) == before


async def test_staff_reads_of_registrants_are_written_down_and_residents_own_are_not(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    await register(api, api.resident("hanako"), HAKUBA)
    before = len(await entries(database))
    body = await api.op("MyProfile", {}, api.resident("hanako"))
    assert "errors" not in body
    assert len(await entries(database)) == before
    body = await api.op("Registrants", {"code": HAKUBA}, api.staff(HAKUBA))
    assert "errors" not in body
    (read,) = (await entries(database))[before:]
    assert (read.kind, read.subject, read.acting_for, read.operation) == (
        "READ",
        f"staff-{HAKUBA}",
        HAKUBA,
        "query Registrants",
    )
    assert [record.split(":")[0] for record in read.records] == ["registration"]


async def test_staff_page_through_their_places_trail_and_no_other(
    api: Api, clock: FixedClock
) -> None:
    await join(api, HAKUBA, clock)
    for name in ("a", "b", "c"):
        await register(api, api.resident(name), HAKUBA)

    async def trail(token: str, after: str | None = None) -> dict[str, Any]:
        body = await api.run(TRAIL, {"code": HAKUBA, "first": 2, "after": after}, token)
        return body

    first = (await trail(api.staff(HAKUBA)))["data"]["municipality"]["auditTrail"]
    # Joining (the operator's), three registrations: newest first.
    assert first["totalCount"] == 4
    assert [e["node"]["subject"] for e in first["edges"]] == ["c", "b"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await trail(api.staff(HAKUBA), first["pageInfo"]["endCursor"])
    page = rest["data"]["municipality"]["auditTrail"]
    assert [e["node"]["subject"] for e in page["edges"]] == ["a", "operator"]
    # Reading the trail is in the trail.
    again = (await trail(api.staff(HAKUBA)))["data"]["municipality"]["auditTrail"]
    assert again["edges"][0]["node"]["operation"] == "query (anonymous)"
    assert again["edges"][0]["node"]["kind"] == "READ"
    refused = await trail(api.staff(CHIYODA))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    malformed = await trail(api.staff(HAKUBA), "not-a-cursor")
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET subject = 'someone else'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ],
)
async def test_postgresql_refuses_to_change_the_log(
    api: Api, clock: FixedClock, database: Database, statement: str
) -> None:
    if database.write_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no privileges: the code has no path that changes the log")
    await join(api, HAKUBA, clock)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.write_engine.begin() as connection:
            await connection.execute(text(statement))
    assert len(await entries(database)) == 1


async def test_an_operation_named_at_length_is_written_cut_to_fit(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    name = "Register" + "X" * 300
    document = (
        f"mutation {name}($input: RegisterInput!)"
        " { register(input: $input) { errors { code } } }"
    )
    variables = {"input": {"municipalityCode": HAKUBA, "relationship": "OTHER", "interests": []}}
    body = await api.run(document, variables, api.resident("hanako"))
    assert body == {"data": {"register": {"errors": []}}}
    latest = max(await entries(database), key=lambda entry: entry.id or 0)
    assert latest.operation == f"mutation {name}"[:200]
