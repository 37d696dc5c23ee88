"""What the routes that hand out files (figures, registrant lists) answer before any file:
who asks, and for which place."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from domain import municipality_code
from domain.errors import InvalidInput
from resolvers.directory import MunicipalityDirectory


def needs_a_token() -> Response:
    return PlainTextResponse(
        "this needs a bearer token", 401, headers={"WWW-Authenticate": "Bearer"}
    )


def not_allowed() -> Response:
    return PlainTextResponse("your role or municipality does not allow this", 403)


async def place_of(directory: MunicipalityDirectory, text: str) -> str | Response:
    """The code of a place the master data has, or the answer that says what is wrong."""
    try:
        code = municipality_code.parse(text, "code")
    except InvalidInput as error:
        return PlainTextResponse(str(error), 400)
    if code not in await directory.places():
        return PlainTextResponse(f"no place has the code {code}", 404)
    return code
