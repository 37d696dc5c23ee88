"""The clients' persisted operations (contract/operations.graphql), one by name."""

from __future__ import annotations

from pathlib import Path

from graphql import DocumentNode, OperationDefinitionNode, parse, print_ast

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "contract" / "operations.graphql"
SHARED_OPERATIONS = ROOT.parent / "shared" / "contract" / "operations.graphql"


def document() -> DocumentNode:
    return parse(OPERATIONS.read_text(encoding="utf-8"))


def operations() -> dict[str, OperationDefinitionNode]:
    return {
        op.name.value: op
        for op in document().definitions
        if isinstance(op, OperationDefinitionNode) and op.name is not None
    }


def served(name: str) -> str:
    """The operation exactly as the clients send it."""
    return print_ast(operations()[name])
