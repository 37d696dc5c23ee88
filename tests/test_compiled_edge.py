"""The compiled operations' edge (edge/compiled_operations.py) takes up exactly the clients'
documents that have a plan, by their text and by their documentId, and hands every other
operation of the contract on to ordinary execution untouched: nothing but a plan's own
operation can be answered differently with the plans on."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request
from starlette.types import Message

from edge.compiled_operations import CompiledOperations
from edge.persisted_documents import by_name, document_id
from resolvers.compiled import PLANS
from resolvers.context import Context


class Intercepted(Exception):
    """The edge went on to answer the request with a plan."""


async def _context_of(_request: Request) -> Context:
    raise Intercepted


def _request(body: dict[str, object]) -> Request:
    sent = json.dumps(body).encode()

    async def receive() -> Message:
        return {"type": "http.request", "body": sent, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"content-type", b"application/json")],
        "query_string": b"",
    }
    return Request(scope, receive)


def _bodies(name: str, text: str) -> list[dict[str, object]]:
    return [
        {"query": text, "variables": {}},
        {"query": text, "operationName": name, "variables": {}},
        {"documentId": document_id(text), "variables": {}},
    ]


@pytest.mark.parametrize("name", sorted(by_name()))
async def test_only_operations_with_a_plan_are_taken_up(name: str) -> None:
    edge = CompiledOperations(_context_of)
    for body in _bodies(name, by_name()[name]):
        if name in PLANS:
            with pytest.raises(Intercepted):
                await edge.answer(_request(body))
        else:
            assert await edge.answer(_request(body)) is None, body


async def test_a_plan_is_not_taken_up_under_another_operation_name() -> None:
    edge = CompiledOperations(_context_of)
    for name, text in by_name().items():
        if name in PLANS:
            body = {"query": text, "operationName": f"{name}Other", "variables": {}}
            assert await edge.answer(_request(body)) is None
