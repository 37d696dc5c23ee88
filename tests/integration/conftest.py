"""The platform over HTTP: httpx against the ASGI app, on each database backend."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from credentials.jose import SigningKey
from domain.clock import FixedClock
from edge.certificate_issuer import CertificateIssuer
from edge.settings import Settings
from edge.tokens import LocalIssuer, TokenVerifier
from gateway import create_app
from persistence import tables
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from services.figures import publish_figures
from tests.conftest import TRANSIENT_TABLES
from tests.contract import served
from tests.integration.processes import serving
from tests.unit.conftest import START

ISSUER = "furusato-test"
PUBLIC_URL = "http://platform.test"
AUDIENCE = "furusato"


@pytest.fixture(scope="session")
def issuer() -> LocalIssuer:
    return LocalIssuer(Ed25519PrivateKey.generate(), ISSUER, AUDIENCE)


@pytest.fixture(scope="session")
def certificate_issuer() -> CertificateIssuer:
    key = SigningKey.generate()
    return CertificateIssuer(PUBLIC_URL, key, {key.kid: key.public})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@dataclass
class Api:
    http: httpx.AsyncClient
    issuer: LocalIssuer
    database: Database
    clock: FixedClock
    # Whether the app answers the compiled operations by their plans (on PostgreSQL).
    compiled_operations: bool = True

    async def publish_figures(self) -> None:
        """What the server does every few minutes: figures for all but places' own staff."""
        await publish_figures(SqlUnitOfWork(self.database), self.clock)

    def token(self, role: str, subject: str, **claims: Any) -> str:
        return self.issuer.mint({"sub": subject, "role": role, **claims}, 3600)

    def resident(self, subject: str = "hanako", *, verified: bool = True, **claims: Any) -> str:
        return self.token("resident", subject, identity_verified=verified, **claims)

    def staff(self, code: str) -> str:
        return self.token("staff", f"staff-{code}", municipality=code)

    def operator(self) -> str:
        return self.token("operator", "operator")

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        file: tuple[str, bytes] | None = None,
    ) -> httpx.Response:
        """With `file`, a multipart request (GraphQL multipart request spec) that sends it as
        the variable `file`."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        operation = {"query": query, "variables": variables or {}}
        if file is None:
            return await self.http.post("/graphql", json=operation, headers=headers)
        operation["variables"] = {**(variables or {}), "file": None}
        return await self.http.post(
            "/graphql",
            data={
                "operations": json.dumps(operation),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": file},
            headers=headers,
        )

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.post(query, variables, token)
        body: dict[str, Any] = response.json()
        return body

    async def op(
        self, name: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """A contract operation, as the clients send it."""
        return await self.run(served(name), variables, token)


@dataclass
class Platform:
    """What an app of the platform is made of in tests, to make one with other settings."""

    database: Database
    clock: FixedClock
    issuer: LocalIssuer
    certificate_issuer: CertificateIssuer

    @contextlib.asynccontextmanager
    async def api(self, **settings: Any) -> AsyncIterator[Api]:
        chosen = Settings(token_issuer=ISSUER, token_audience=AUDIENCE, **settings)
        app = create_app(
            chosen,
            database=self.database,
            clock=self.clock,
            verifier=TokenVerifier(
                issuer=ISSUER, audience=AUDIENCE, local_key=self.issuer.key.public_key()
            ),
            issuer=self.certificate_issuer,
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield Api(http, self.issuer, self.database, self.clock, chosen.compiled_operations)


@pytest.fixture
def platform(
    database: Database,
    clock: FixedClock,
    issuer: LocalIssuer,
    certificate_issuer: CertificateIssuer,
) -> Platform:
    return Platform(database, clock, issuer, certificate_issuer)


@pytest.fixture
async def api(platform: Platform) -> AsyncIterator[Api]:
    async with platform.api() as api:
        yield api


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the platform writes, to show that a refused call changed nothing."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with database.read_engine.connect() as connection:
        for table in (*TRANSIENT_TABLES, tables.AuditEntry):
            result = await connection.execute(select(table))
            rows[table.__tablename__] = sorted((tuple(r) for r in result), key=repr)
        await connection.execute(text("SELECT 1"))
    return rows


@dataclass
class QueryCounter:
    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def queries(database: Database, monkeypatch: pytest.MonkeyPatch) -> QueryCounter:
    """The SQL statements the platform sends (transaction control left out)."""
    counter = QueryCounter([])

    def record(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "WITH",
        }:
            counter.statements.append(statement)

    # On PostgreSQL reads go through a view of the write engine (autocommit), whose
    # listeners hear them too: one listener per pool.
    engines: dict[int, Any] = {}
    for e in (database.write_engine, database.read_engine):
        engines.setdefault(id(e.sync_engine.pool), e.sync_engine)
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", record)
    statements = database.statements
    if statements is not None:
        # The compiled operations' statements go straight through psycopg.
        sent = statements.fetch_one

        async def fetch_one(statement: str, parameters: Mapping[str, Any], **options: Any) -> Any:
            counter.statements.append(statement)
            return await sent(statement, parameters, **options)

        monkeypatch.setattr(statements, "fetch_one", fetch_one)
    return counter


@pytest.fixture
async def server(
    database: Database,
    clock: FixedClock,
    issuer: LocalIssuer,
    certificate_issuer: CertificateIssuer,
) -> AsyncIterator[str]:
    app = create_app(
        Settings(token_issuer=ISSUER, token_audience=AUDIENCE),
        database=database,
        clock=clock,
        verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE, local_key=issuer.key.public_key()),
        issuer=certificate_issuer,
    )
    async with serving(app, lifespan="on") as port:
        yield f"ws://127.0.0.1:{port}/graphql"
