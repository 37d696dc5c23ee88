"""The clients' persisted documents (GraphQL over HTTP, persisted documents): every operation
of contract/operations.graphql, printed the one way graphql-core prints it, and known by the
sha256 of that text. A client may send `documentId` instead of the text; in production only
these documents run (schema/root.py)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from graphql import OperationDefinitionNode, parse, print_ast

OPERATIONS = Path(__file__).resolve().parent.parent / "contract" / "operations.graphql"


def document_id(text: str) -> str:
    return f"sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


@cache
def by_name() -> dict[str, str]:
    """Each of the clients' operations by its name, printed the one way graphql-core prints it
    (an operation without a name could not be asked for, and is not persisted)."""
    document = parse(OPERATIONS.read_text(encoding="utf-8"))
    return {
        definition.name.value: print_ast(definition)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name is not None
    }


@cache
def persisted() -> dict[str, str]:
    """documentId: the document, for each of the clients' operations."""
    return {document_id(text): text for text in by_name().values()}


def operation_names() -> frozenset[str]:
    """The names of the clients' operations: what metrics label by (any other name, chosen by
    whoever sends it, would be a new series each time)."""
    return frozenset(by_name())
