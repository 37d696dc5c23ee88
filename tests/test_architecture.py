"""The domain is plain Python: no framework, no database, no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {
    "strawberry",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "psycopg",
    "aiosqlite",
    "alembic",
    "uvicorn",
    "httpx",
    "pydantic",
    "jwt",
    "persistence",
    "services",
    "resolvers",
    "schema",
    "edge",
    "gateway",
    "socket",
    "asyncio",
}
DOMAIN = Path(__file__).resolve().parent.parent / "domain"


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_no_framework_and_no_io() -> None:
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) > 5
    offending = {
        path.name: sorted(_imported_roots(path) & FORBIDDEN)
        for path in modules
        if _imported_roots(path) & FORBIDDEN
    }
    assert offending == {}


def test_the_check_sees_an_offending_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from sqlalchemy import select\nimport strawberry.types\n")
    assert _imported_roots(module) & FORBIDDEN == {"sqlalchemy", "strawberry"}
