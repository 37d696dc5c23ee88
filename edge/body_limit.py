"""A ceiling on request bodies, before anything reads them whole: no client can make a worker
hold megabytes of JSON (or parse them). Only a municipality's integration, signed in, may send
a list file (multipart), up to a ceiling of its own."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.roles import Role
from edge.authentication import actor_of


class _TooLarge(Exception):
    pass


def _uploads_a_file(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
    actor = actor_of(HTTPConnection(scope))
    return multipart and actor is not None and actor.role is Role.INTEGRATION


class BodyLimit:
    """Runs after authentication, which reads no body."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self.max_upload_bytes if _uploads_a_file(scope, headers) else self.max_bytes
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await PlainTextResponse("Content-Length is not a number", 400)(scope, receive, send)
                return
            if int(declared) > limit:
                await self._refuse(limit, scope, receive, send)
                return
        received = 0
        started = False

        async def counted() -> Message:
            # A body sent in chunks, without a length, is counted as it comes.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(limit, scope, receive, send)

    async def _refuse(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over {limit} bytes"
        await PlainTextResponse(message, 413)(scope, receive, send)
