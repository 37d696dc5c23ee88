"""A unique constraint that refuses a write means a concurrent change won: Conflict."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError

from services.unit_of_work import Conflict

UNIQUE_VIOLATION = "23505"


def violates(error: IntegrityError, constraint: str, columns: str) -> bool:
    """Whether this very unique constraint refused the write (PostgreSQL names it; SQLite
    names its columns, as `table.column, table.column`)."""
    diagnostics = getattr(error.orig, "diag", None)
    if diagnostics is not None:
        return bool(getattr(diagnostics, "constraint_name", None) == constraint)
    return f"UNIQUE constraint failed: {columns}" in str(error.orig)


def is_unique_violation(error: IntegrityError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == UNIQUE_VIOLATION)
    return "UNIQUE constraint failed" in str(error.orig)


@asynccontextmanager
async def conflicts_raised() -> AsyncIterator[None]:
    try:
        yield
    except IntegrityError as error:
        if is_unique_violation(error):
            raise Conflict(str(error.orig)) from error
        raise
