"""The compiled operations' edge (edge/compiled_operations.py) answers each of the clients'
documents that has a plan with that plan, by its text and by its documentId, and hands every
other operation of the contract, and every other request, on to the app untouched."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, cast

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

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


class _App:
    """The app behind the edge: what it was handed."""

    def __init__(self) -> None:
        self.handed: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.handed.append((scope["method"], scope["path"], body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


@pytest.fixture
def app() -> _App:
    return _App()


@pytest.fixture
def edge(monkeypatch: pytest.MonkeyPatch, app: _App) -> CompiledOperations:
    """The edge with every plan replaced by one that answers with its own name."""
    for name in PLANS:
        monkeypatch.setitem(PLANS, name, _naming(name))
    return CompiledOperations(app, _context_of)


def _scope(
    method: str = "POST", path: str = "/graphql", content_type: bytes = b"application/json"
) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"content-type", content_type)],
        "query_string": b"",
    }


def _receiving(sent: bytes) -> Receive:
    async def receive() -> Message:
        return {"type": "http.request", "body": sent, "more_body": False}

    return receive


async def _answer(edge: CompiledOperations, body: dict[str, object]) -> Response | None:
    sent = json.dumps(body).encode()
    return await edge.answer(Request(_scope(), _receiving(sent)), sent)


async def _served(edge: CompiledOperations, scope: Scope, sent: bytes) -> bytes:
    """What the client gets back through the edge."""
    answered: list[bytes] = []

    async def send(message: Message) -> None:
        answered.append(message.get("body", b""))

    await edge(scope, _receiving(sent), send)
    return b"".join(answered)


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
        answered = await _answer(edge, body)
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
        assert await _answer(edge, body) is None


async def test_a_compiled_document_is_answered_before_the_app(
    edge: CompiledOperations, app: _App
) -> None:
    sent = json.dumps({"documentId": document_id(by_name()["MyProfile"])}).encode()
    assert json.loads(await _served(edge, _scope(), sent)) == {"data": {"plan": "MyProfile"}}
    assert app.handed == []


@pytest.mark.parametrize(
    "scope",
    [
        _scope(),
        _scope(method="PUT"),
        _scope(path="/graphql/other"),
        _scope(content_type=b"multipart/form-data; boundary=x"),
    ],
)
async def test_every_other_request_reaches_the_app_with_its_body(
    edge: CompiledOperations, app: _App, scope: Scope
) -> None:
    # The body the edge may have read is handed on whole.
    sent = json.dumps({"query": by_name()["VerifyCertificate"], "variables": {"token": "x"}})
    assert await _served(edge, scope, sent.encode()) == b"app"
    assert app.handed == [(scope["method"], scope["path"], sent.encode())]
