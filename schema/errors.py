"""Every GraphQL error leaves with a code; unexpected ones leave without their details."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from persistence.database import unreachable
from resolvers.errors import BAD_USER_INPUT, INTERNAL, UNAVAILABLE

log = logging.getLogger("furusato.errors")


def _is_expected(error: GraphQLError) -> bool:
    """Coded errors and the request's own mistakes (graphql-core wraps some of those, such as
    a required variable left out, around a GraphQLError of its own)."""
    if error.extensions and "code" in error.extensions:
        return True
    return error.original_error is None or isinstance(error.original_error, GraphQLError)


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log what went wrong inside, with its traceback; a refused token or a bad query is the
    caller's business and not logged as an error."""
    for error in errors:
        if not _is_expected(error):
            log.error("internal error at %s", error.path, exc_info=error.original_error)


class CodedErrors(MaskErrors):
    """Errors the platform raised on purpose keep their code; a query the schema refuses is
    BAD_USER_INPUT; the database away is UNAVAILABLE; anything else is INTERNAL; those two are
    logged here and masked for the client."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if unreachable(error.original_error):
            message, code = (
                "the database cannot be reached just now: try again shortly",
                UNAVAILABLE,
            )
        else:
            message, code = "internal error", INTERNAL
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if not error.extensions or "code" not in error.extensions:
                error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}
        return processed
