"""The compiled operations at the HTTP edge: a plain JSON POST to the GraphQL path of one of
the clients' compiled documents (resolvers/compiled.py), by its documentId or its text, is
answered by its plan before any GraphQL parsing or execution, and before routing; every other
request, and every request a plan leaves (NotCompiled), goes on to the app unchanged (a body
already read is handed on as it came)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

import orjson
from psycopg_pool import PoolTimeout
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edge.persisted_documents import by_name, document_id
from edge.request_log import graphql_outcome
from persistence.database import unreachable
from resolvers.compiled import PLANS, NotCompiled, Plan
from resolvers.context import Context

log = logging.getLogger("furusato.compiled")

# (documentId or text) -> (operation name, plan)
Compiled = dict[str, tuple[str, Plan]]


def compiled_documents() -> Compiled:
    """Each compiled operation under its documentId and under its text, as the clients
    send either."""
    found: Compiled = {}
    for name, text in by_name().items():
        if name in PLANS:
            found[document_id(text)] = found[text] = (name, PLANS[name])
    return found


def _request_of(body: object) -> tuple[str, object, Mapping[str, object]] | None:
    """(documentId or text, operationName, variables) of a single operation's JSON body."""
    if not isinstance(body, dict):
        return None
    key = body.get("documentId")
    if key is None:
        key = body.get("query")
    elif "query" in body and body["query"] is not None:
        return None
    variables = body.get("variables")
    if not isinstance(key, str) or not (variables is None or isinstance(variables, dict)):
        return None
    return key, body.get("operationName"), variables or {}


def _handing_on(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app, once the edge has read the body: the body first, as it came."""
    given = False

    async def handed_on() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return handed_on


class CompiledOperations:
    """Middleware in front of the router: it sits inside authentication and the body limit,
    and outside everything a plan has no use for (routing, the GraphQL view)."""

    def __init__(
        self,
        app: ASGIApp,
        context_of: Callable[[Request], Awaitable[Context]],
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self._path = path
        self._documents = compiled_documents()
        # Bytes one of the compiled documents' bodies holds (its documentId, or its text's
        # `query Name`): other bodies go on unparsed, as they would without the plans.
        self._markers = tuple(
            dict.fromkeys(
                (key if key.startswith("sha256:") else f"query {name}").encode()
                for key, (name, _plan) in self._documents.items()
            )
        )
        self._context_of = context_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if not request.headers.get("content-type", "").startswith("application/json"):
            await self.app(scope, receive, send)
            return
        raw = await request.body()
        answered = await self.answer(request, raw)
        if answered is None:
            await self.app(scope, _handing_on(raw, receive), send)
        else:
            await answered(scope, receive, send)

    async def answer(self, request: Request, raw: bytes) -> Response | None:
        """The plan's answer to a JSON POST with this body, or None for ordinary execution."""
        if not any(marker in raw for marker in self._markers):
            return None
        try:
            sent = _request_of(orjson.loads(raw))
        except ValueError:
            return None
        found = self._documents.get(sent[0]) if sent else None
        if sent is None or found is None or sent[1] not in (None, found[0]):
            return None
        name, plan = found
        context = await self._context_of(request)
        context.operation = f"query {name}"
        try:
            data = await plan(context, sent[2])
            shaped = data if isinstance(data, bytes) else orjson.dumps(data)
        except NotCompiled:
            return None
        except PoolTimeout:
            # The database away, or every connection of the compiled statements busy: seen.
            log.warning("the compiled %s found no connection; answered by ordinary execution", name)
            return None
        except Exception as error:
            # Ordinary execution answers it again, with the error the client should see.
            if not unreachable(error):
                log.exception("the compiled %s failed; answered by ordinary execution", name)
            return None
        told = graphql_outcome.get()
        if told is not None:
            told.update(operation=context.operation, outcome="ok")
        return Response(b'{"data":' + shaped + b"}", media_type="application/json")
