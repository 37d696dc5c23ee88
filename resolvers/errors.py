"""GraphQL errors with the stable codes of the contract in `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL"
# The database is away for a moment: the request may be sent again shortly.
UNAVAILABLE = "UNAVAILABLE"
# Production runs only the clients' persisted documents.
PERSISTED_DOCUMENT_REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"


def coded_error(message: str, code: str, field: str | None = None) -> GraphQLError:
    extensions: dict[str, object] = {"code": code}
    if field is not None:
        extensions["field"] = field
    return GraphQLError(message, extensions=extensions)
