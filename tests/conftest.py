"""Databases for the tests: SQLite always, PostgreSQL whenever a server answers.

Each backend is migrated once per session (Alembic, as in production, never create_all);
each test then starts from the master data alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import delete, exists, select, text, update
from sqlalchemy.engine import make_url

from persistence import migrate, tables
from persistence.database import Database, connect

# Servers in tests publish figures in their own process, on their test clock (one test
# covers the process of its own that `furusato serve` uses).
os.environ.setdefault("FURUSATO_PUBLISH_APART", "0")

POSTGRES_URL = os.environ.get(
    "FURUSATO_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
POSTGRES_REQUIRED = os.environ.get("FURUSATO_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]

# Children first, so that deleting never trips a foreign key.
TRANSIENT_TABLES = (
    tables.ImportRejection,
    tables.ImportRecord,
    tables.ImportJob,
    tables.PublishedFigures,
    tables.Tally,
    tables.TallyMember,
    tables.MunicipalEvent,
    tables.Notice,
    tables.SupportMeasure,
    tables.CertificateToken,
    tables.Certificate,
    tables.Activity,
    tables.Registration,
    tables.Resident,
    tables.PremiumPolicy,
    tables.Participation,
)


def _postgres_server() -> str | None:
    """The libpq address of the test server, or None when none answers."""
    url = make_url(POSTGRES_URL)
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return conninfo
    except psycopg.OperationalError as error:
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required here and did not answer: {error}")
        return None


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A database of its own on the test server, dropped at the end."""
    conninfo = _postgres_server()
    if conninfo is None:
        pytest.skip("no PostgreSQL server answers at FURUSATO_TEST_DATABASE_URL")
    name = f"furusato_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "furusato.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def migrated() -> dict[str, str]:
    """Backend name to the URL of its database, once migrated and loaded with master data."""
    return {}


async def _prepare(url: str) -> None:
    migrate.upgrade(url)
    database = connect(url)
    try:
        await migrate.load_master_data(database)
    finally:
        await database.dispose()


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, migrated: dict[str, str]
) -> AsyncIterator[Database]:
    backend: str = request.param
    if backend not in migrated:
        url = request.getfixturevalue(f"{backend}_url")
        await _prepare(url)
        migrated[backend] = url
    db = connect(migrated[backend])
    try:
        yield db
    finally:
        async with db.write_engine.begin() as connection:
            if connection.dialect.name == "postgresql" and await connection.scalar(
                select(exists().select_from(tables.ImportRecord))
            ):
                # After an import, deleting the residents checks each against import_record,
                # whose deleted rows are still there to scan (its resident_id has no index: the
                # platform never deletes a resident): 25 s after 20,000 rows. TRUNCATE checks
                # nothing, but costs some 90 ms, too much for every test.
                names = ", ".join(table.__tablename__ for table in TRANSIENT_TABLES)
                await connection.execute(text(f"TRUNCATE {names}"))
            else:
                for table in TRANSIENT_TABLES:
                    await connection.execute(delete(table))
            # The audit log refuses DELETE and TRUNCATE on PostgreSQL: only its owner can
            # lift that, as these tests (not the platform) do between tests.
            if connection.dialect.name == "postgresql":
                for statement in (
                    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_truncate",
                    "TRUNCATE audit_entry",
                    "ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_truncate",
                ):
                    await connection.execute(text(statement))
            else:
                await connection.execute(delete(tables.AuditEntry))
            await connection.execute(update(tables.EventStream).values(last_seq=0))
        await db.dispose()
