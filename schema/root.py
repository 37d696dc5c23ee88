"""The schema object served at /graphql and exported to schema.graphql."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from schema.errors import CodedErrors, log_unexpected
from schema.mutation import Mutation
from schema.query import Query
from schema.subscription import Subscription
from schema.types import Activity, Registration, Resident

MAX_TOKENS = 2_000
MAX_DEPTH = 10
MAX_ALIASES = 15


class PlatformSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected(errors)


schema = PlatformSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Resident, Registration, Activity],
    # The apps send the same persisted operations again and again: parse and validate each once.
    # (The caches live at module level; each request gets a fresh extension around them.)
    extensions=[
        CodedErrors,
        # No request may ask much more than the clients' own operations do: the deepest of
        # them (Registrants) has 7 levels and the longest 79 tokens (tests/test_limits.py).
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ],
)
