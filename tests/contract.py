"""The clients' persisted operations (contract/operations.graphql), one by name."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    BREAK,
    REMOVE,
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "contract" / "operations.graphql"
SHARED_OPERATIONS = ROOT.parent / "shared" / "contract" / "operations.graphql"

# Operations the schema does not serve yet, and the issue that brings each.
NOT_YET_SERVED = {
    "MunicipalityDashboard": 5,
    "NationalOverview": 5,
    "SubgraphSdl": 10,
    "MunicipalityEntities": 10,
}
# Fields that served operations select and a later issue brings.
NOT_YET_SERVED_FIELDS: dict[str, int] = {}


def document() -> DocumentNode:
    return parse(OPERATIONS.read_text(encoding="utf-8"))


def operations() -> dict[str, OperationDefinitionNode]:
    return {
        op.name.value: op
        for op in document().definitions
        if isinstance(op, OperationDefinitionNode) and op.name is not None
    }


class _WithoutPendingFields(Visitor):
    def enter_field(self, node: FieldNode, *_args: object) -> object:
        return REMOVE if node.name.value in NOT_YET_SERVED_FIELDS else None


def served(name: str) -> str:
    """The operation as the schema serves it today: fields of later issues left out."""
    return print_ast(visit(operations()[name], _WithoutPendingFields()))


def selects_pending_field(name: str) -> bool:
    found = False

    class _Finder(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> object:
            nonlocal found
            if node.name.value in NOT_YET_SERVED_FIELDS:
                found = True
                return BREAK
            return None

    visit(operations()[name], _Finder())
    return found
