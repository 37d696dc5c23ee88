"""The two pages people use, served by the platform itself: the resident app (/app) and the
municipal dashboard (/dashboard), with their scripts and styles under /web. They call GraphQL
with the clients' persisted operations only (/web/operations.json), as the mobile and
dashboard clients do, so that they run unchanged in production. Prefectures' names come from
the master data (/web/prefectures.json), not from a copy in the pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from domain.places import PlaceKind
from edge.persisted_documents import by_name, document_id
from persistence.master_data import shipped

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
    return {
        name: {"documentId": document_id(text), "text": text} for name, text in by_name().items()
    }


@cache
def prefectures() -> dict[str, str]:
    """Each prefecture's name by its code, as the figures name home prefectures."""
    return {place.code: place.name for place in shipped() if place.kind == PlaceKind.PREFECTURE}


def _page(name: str) -> Route:
    async def page(_request: Request) -> Response:
        return FileResponse(WEB / f"{name}.html", headers=PAGE_HEADERS)

    return Route(f"/{name}", page)


async def _operations(_request: Request) -> Response:
    return JSONResponse(operations(), headers={"Cache-Control": "no-cache"})


async def _prefectures(_request: Request) -> Response:
    return JSONResponse(prefectures())


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
        Route("/web/prefectures.json", _prefectures),
        Mount("/web", _WebFiles(directory=WEB), name="web"),
    ]
