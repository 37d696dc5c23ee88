"""The compiled operations' edge (edge/compiled_operations.py) answers each of the clients'
documents that has a plan with that plan, by its text and by its documentId, and hands every
other operation of the contract on to ordinary execution untouched."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, cast

import pytest
from starlette.requests import Request
from starlette.types import Message

from edge.compiled_operations import CompiledOperations
from edge.persisted_documents import by_name, document_id
from resolvers.compiled import PLANS, Plan
from resolvers.context import Context


def _naming(name: str) -> Plan:
    async def plan(_context: Context, _sent: Mapping[str, object]) -> dict[str, Any]:
        return {"plan": name}

    return plan


async def _context_of(_request: Request) -> Context:
    # The stand-in plans read nothing of it; the edge only names the operation on it.
    return cast(Context, SimpleNamespace(operation=None))


@pytest.fixture
def edge(monkeypatch: pytest.MonkeyPatch) -> CompiledOperations:
    """The edge with every plan replaced by one that answers with its own name."""
    for name in PLANS:
        monkeypatch.setitem(PLANS, name, _naming(name))
    return CompiledOperations(_context_of)


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
async def test_each_operation_goes_to_its_own_plan_or_on(
    edge: CompiledOperations, name: str
) -> None:
    for body in _bodies(name, by_name()[name]):
        answered = await edge.answer(_request(body))
        if name in PLANS:
            assert answered is not None, body
            assert json.loads(bytes(answered.body)) == {"data": {"plan": name}}, body
        else:
            assert answered is None, body


async def test_a_plan_is_not_taken_up_under_another_operation_name(
    edge: CompiledOperations,
) -> None:
    for name in PLANS:
        body: dict[str, object] = {
            "query": by_name()[name],
            "operationName": f"{name}Other",
            "variables": {},
        }
        assert await edge.answer(_request(body)) is None
