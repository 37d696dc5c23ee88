"""What a request may cost before it runs: each field it asks for, once for every row of
every page around it. A page counts as `first` rows, as the largest page when `first` comes
from a variable (validation does not see values), and as the default page without it."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

from resolvers.inputs import DEFAULT_PAGE, MAX_PAGE

# The dearest of the clients' operations (Registrants) costs 2,002: a page of 100 rows and
# what is asked of each (tests/test_limits.py).
MAX_COST = 5_000
TOO_COSTLY = "TOO_COSTLY"


def _rows(field: FieldNode) -> int:
    """How many rows a field may return for each of its parent's."""
    for argument in field.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_PAGE
    return DEFAULT_PAGE if field.name.value in PAGED_FIELDS else 1


# The fields that return a page (a connection), and take `first`.
PAGED_FIELDS = frozenset({"municipalities", "registrations", "activities", "myFeed", "auditTrail"})


class CostLimit(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> None:
        cost = self._cost(node.selection_set, 1, set())
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"this request may cost {cost:,}; at most {MAX_COST:,} is served: ask for"
                    " smaller pages or fewer fields",
                    extensions={"code": TOO_COSTLY},
                )
            )

    def _cost(self, selections: SelectionSetNode | None, rows: int, seen: set[str]) -> int:
        if selections is None:
            return 0
        cost = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                inner = rows * _rows(selection)
                cost += rows + self._cost(selection.selection_set, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                cost += self._cost(selection.selection_set, rows, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                # A fragment spread inside itself is refused by validation; counted once here.
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is not None:
                    spread = {*seen, selection.name.value}
                    cost += self._cost(fragment.selection_set, rows, spread)
        return cost
