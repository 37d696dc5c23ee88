"""The audit log at the schema's edge: which operation a request is, and the fields whose
reads by staff or integrations are written down before the data goes out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import Info

from domain.audit import reads_are_audited
from edge.request_log import graphql_outcome
from persistence import audit
from resolvers.context import Context
from schema.relay import Connection


class NamesTheOperation(SchemaExtension):
    """Tells the request's context which operation it runs, for the audit log, and the
    request's log line (edge/request_log.py)."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context):
            name = execution.operation_name or "(anonymous)"
            context.operation = f"{execution.operation_type.value} {name}"
            told = graphql_outcome.get()
            if told is not None:
                told["operation"] = context.operation
        yield


def _nodes(result: Any) -> list[Any]:
    """The records a field shows: a page of them, or one (a registration, an activity)."""
    return [edge.node for edge in result.edges] if isinstance(result, Connection) else [result]


class AuditedRead(FieldExtension):
    """Declared on fields of personal data: a staff or integration caller's read of them is
    in the audit log, with the place (the field's parent) and every record shown."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> Any:
        result = await next_(source, info, **kwargs)
        context = info.context
        if result is None or not reads_are_audited(context.actor):
            return result
        records = [audit.record_name(node.row) for node in _nodes(result)]
        if records:
            # A place's list belongs to the place; one record to the place it was made with.
            place = getattr(source, "code", None) or getattr(result, "municipality_code", None)
            await context.record_read(place, records)
        return result
