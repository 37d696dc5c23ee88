"""The clients' operations against the schema: the copy, the exported SDL, and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from schema.root import schema
from tests.contract import OPERATIONS, SHARED_OPERATIONS, operations, served

SDL = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_persisted_operations_are_the_shared_contract() -> None:
    if not SHARED_OPERATIONS.exists():
        pytest.skip("no ../shared checkout beside the project")
    assert OPERATIONS.read_bytes() == SHARED_OPERATIONS.read_bytes()


def test_schema_graphql_is_the_exported_schema() -> None:
    assert SDL.read_text(encoding="utf-8") == schema.as_str() + "\n", "run `make schema`"


def _errors(document: str) -> list[str]:
    # The federation directives (@link, @key) are the gateway's to define, not the SDL's.
    exported = build_schema(SDL.read_text(encoding="utf-8"), assume_valid_sdl=True)
    return [error.message for error in validate(exported, parse(document))]


@pytest.mark.parametrize("name", sorted(operations()))
def test_every_operation_validates_as_written(name: str) -> None:
    assert _errors(served(name)) == []
