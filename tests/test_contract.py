"""The clients' operations against the schema: the copy, the exported SDL, and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from schema.root import schema
from tests.contract import (
    NOT_YET_SERVED,
    OPERATIONS,
    SHARED_OPERATIONS,
    operations,
    served,
)

SDL = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_persisted_operations_are_the_shared_contract() -> None:
    if not SHARED_OPERATIONS.exists():
        pytest.skip("no ../shared checkout beside the project")
    assert OPERATIONS.read_bytes() == SHARED_OPERATIONS.read_bytes()


def test_schema_graphql_is_the_exported_schema() -> None:
    assert SDL.read_text(encoding="utf-8") == schema.as_str() + "\n", "run `make schema`"


def _errors(document: str) -> list[str]:
    exported = build_schema(SDL.read_text(encoding="utf-8"))
    return [error.message for error in validate(exported, parse(document))]


SERVED = sorted(set(operations()) - set(NOT_YET_SERVED))


@pytest.mark.parametrize("name", SERVED)
def test_every_served_operation_validates_as_written(name: str) -> None:
    assert _errors(served(name)) == []


@pytest.mark.parametrize("name", sorted(NOT_YET_SERVED))
def test_operations_of_later_issues_do_not_validate_yet(name: str) -> None:
    """When one starts to validate, it is served: move it out of NOT_YET_SERVED."""
    assert _errors(served(name)) != []
