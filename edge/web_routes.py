"""The two pages people use, served by the platform itself: the resident app (/app) and the
municipal dashboard (/dashboard), with their scripts and styles under /web. They call GraphQL
with the clients' persisted operations only (/web/operations.json), as the mobile and
dashboard clients do, so that they run unchanged in production."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from edge.persisted_documents import persisted

WEB = Path(__file__).resolve().parent.parent / "web"

# Everything the pages load is their own: no script, style or connection elsewhere, and no
# framing by another site.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self'; style-src 'self';"
        " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def operations() -> dict[str, dict[str, str]]:
    """Each client operation by name: its documentId and its text."""
    named: dict[str, dict[str, str]] = {}
    for document_id, text in persisted().items():
        definition = parse(text).definitions[0]
        # Every client operation is named (tests/test_contract.py).
        if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
            named[definition.name.value] = {"documentId": document_id, "text": text}
    return named


def _page(name: str) -> Route:
    async def page(_request: Request) -> Response:
        return FileResponse(WEB / f"{name}.html", headers=PAGE_HEADERS)

    return Route(f"/{name}", page)


async def _operations(_request: Request) -> Response:
    return JSONResponse(operations(), headers={"Cache-Control": "no-cache"})


class _WebFiles(StaticFiles):
    """The pages' files, each with the pages' headers: the pages themselves are reachable under
    /web too, and must not lose their policy there."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(PAGE_HEADERS)
        return response


def web_routes() -> list[BaseRoute]:
    return [
        _page("app"),
        _page("dashboard"),
        Route("/web/operations.json", _operations),
        Mount("/web", _WebFiles(directory=WEB), name="web"),
    ]
