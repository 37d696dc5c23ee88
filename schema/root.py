"""The schema object served at /graphql and exported to schema.graphql."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Literal

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    ValidationRule,
    print_ast,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.datastructures import UploadFile
from starlette.websockets import WebSocket
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, Info
from strawberry.types.graphql import OperationType

from edge.persisted_documents import document_id, persisted
from resolvers.errors import BAD_USER_INPUT, PERSISTED_DOCUMENT_REQUIRED
from schema.auditing import NamesTheOperation
from schema.cost import CostLimit
from schema.errors import CodedErrors, log_unexpected
from schema.execution import PerEventMemoExecutor
from schema.mutation import Mutation
from schema.query import Query
from schema.subscription import Subscription
from schema.types import Activity, Registration, Resident

MAX_TOKENS = 2_000
MAX_DEPTH = 10
MAX_ALIASES = 15
# The depth and alias limits as rule classes made once. Strawberry's limiter extensions make
# new classes for every request: each request then missed the validation cache (whose key
# holds the rules) and left two classes for the full collections (found in the soak).
DEPTH_RULE = depth_rule(MAX_DEPTH, None)
ALIASES_RULE = aliases_rule(MAX_ALIASES)


# Entity types a gateway may ask for (`_entities`), each by its key. @theguild's composer
# refuses strawberry's default federation version, 2.11; 2.9 composes.
ENTITY_KEYS = {"Municipality": "code", "Resident": "id"}
FEDERATION_VERSION: Literal["2.9"] = "2.9"


def _is_representation(value: object) -> bool:
    typename = value.get("__typename") if isinstance(value, dict) else None
    key = ENTITY_KEYS.get(typename) if isinstance(typename, str) else None
    return key is not None and isinstance(value, dict) and isinstance(value.get(key), str)


def _uploaded_file(value: object) -> UploadFile:
    if not isinstance(value, UploadFile):
        raise ValueError("send the file in a multipart request (GraphQL multipart request spec)")
    return value


def _not_sent(_value: object) -> None:
    raise ValueError("a file is never sent back")


UPLOAD = strawberry.scalar(
    name="Upload",
    description="A file, sent as a part of a multipart request (GraphQL multipart request spec).",
    serialize=_not_sent,
    parse_value=_uploaded_file,
)


class PlatformSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected(errors)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Each representation is an object naming an entity type and giving its key as a
        string; anything else is the caller's mistake, refused as a whole."""
        if not all(_is_representation(r) for r in representations):
            raise GraphQLError(
                "each representation is {__typename, key}: Municipality by code, Resident by id",
                extensions={"code": BAD_USER_INPUT},
            )
        # The library takes __typename out of each: it works on copies.
        copies = [FederationAny(dict(r)) for r in representations]  # type: ignore[call-overload]
        return super().entities_resolver(info, copies)


class OnlyPersistedDocuments(ValidationRule):
    """Production runs the clients' operations and nothing else (edge/persisted_documents.py)."""

    def enter_document(self, node: DocumentNode, *_args: object) -> None:
        if document_id(print_ast(node)) not in persisted():
            self.report_error(
                GraphQLError(
                    "only the clients' persisted documents run here: send one, or its documentId",
                    extensions={"code": PERSISTED_DOCUMENT_REQUIRED},
                )
            )


class SubscriptionsOverWebSocket(SchemaExtension):
    """A subscription sent as a plain HTTP request is refused, not run as if it were a query."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.operation_type is OperationType.SUBSCRIPTION and not isinstance(
            getattr(execution.context, "request", None), WebSocket
        ):
            execution.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "subscriptions run over WebSocket at /graphql (graphql-transport-ws)",
                        extensions={"code": BAD_USER_INPUT},
                    )
                ],
            )
        yield


def build(*, production: bool) -> PlatformSchema:
    """The schema; in production, without introspection and for the safelist only."""
    production_rules: list[type[ASTValidationRule]] = [
        NoSchemaIntrospectionCustomRule,
        OnlyPersistedDocuments,
    ]
    return PlatformSchema(
        federation_version=FEDERATION_VERSION,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Resident, Registration, Activity],
        # Files of a multipart request arrive as Starlette's uploads.
        scalar_overrides={UploadFile: UPLOAD},
        execution_context_class=PerEventMemoExecutor,
        # The apps send the same persisted operations again and again: parse and validate
        # each once. (The caches live at module level; each request gets a fresh extension,
        # with the same rule classes, which the validation cache's key includes.)
        extensions=[
            CodedErrors,
            NamesTheOperation,
            SubscriptionsOverWebSocket,
            # No request may ask much more than the clients' own operations do: the deepest
            # of them (Registrants) has 7 levels and the longest 79 tokens (tests/test_limits.py).
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules([DEPTH_RULE, ALIASES_RULE, CostLimit]),
            *([lambda: AddValidationRules(production_rules)] if production else []),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )


schema = build(production=False)


@cache
def production_schema() -> PlatformSchema:
    return build(production=True)
