"""What the platform publishes as certificate issuer: its keys and its status lists."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from credentials import status_list
from credentials.certificate import LIST_VALUE
from domain.clock import Clock
from edge.certificate_issuer import KEYS_MAX_AGE, MAX_LIST_ID, CertificateIssuer
from persistence import views
from persistence.database import Database

STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"
METADATA_MAX_AGE = int(KEYS_MAX_AGE.total_seconds())


@dataclass
class _Signed:
    token: str
    ended: tuple[object, ...]
    signed_at: float


def issuer_routes(
    database: Database, issuer: CertificateIssuer, clock: Clock, ttl: int
) -> list[Route]:
    signed: dict[int, _Signed] = {}

    async def metadata(_request: Request) -> Response:
        return JSONResponse(
            issuer.metadata(), headers={"Cache-Control": f"public, max-age={METADATA_MAX_AGE}"}
        )

    async def jwks(_request: Request) -> Response:
        return JSONResponse(
            issuer.jwks(), headers={"Cache-Control": f"public, max-age={METADATA_MAX_AGE}"}
        )

    async def status_list_token(request: Request) -> Response:
        list_id: int = request.path_params["list_id"]
        if not 0 < list_id <= MAX_LIST_ID:
            return PlainTextResponse("no such status list", status_code=404)
        async with AsyncSession(database.read_engine) as session:
            size = await views.status_list_size(session, list_id)
            if size is None:
                return PlainTextResponse("no such status list", status_code=404)
            # A revocation shows at once: the list is signed anew whenever one more ended.
            ended_marker = await views.ended_marker(session, list_id)
            cached = signed.get(list_id)
            if cached is None or cached.ended != ended_marker or _age(cached) >= ttl:
                ended = await views.ended_certificates(session, list_id)
                lst = status_list.encode(
                    {index: LIST_VALUE[status] for index, status in ended}, size
                )
                token = status_list.sign(
                    issuer.status_list_uri(list_id),
                    lst,
                    issuer.signing_key,
                    issued_at=int(clock.now().timestamp()),
                    ttl=ttl,
                )
                cached = signed[list_id] = _Signed(token, ended_marker, time.monotonic())
        return Response(
            cached.token,
            media_type=STATUS_LIST_MEDIA_TYPE,
            headers={"Cache-Control": f"public, max-age={max(0, ttl - int(_age(cached)))}"},
        )

    return [
        Route("/.well-known/jwt-vc-issuer", metadata),
        Route("/.well-known/jwks.json", jwks),
        Route("/status-lists/{list_id:int}", status_list_token),
    ]


def _age(cached: _Signed) -> float:
    return time.monotonic() - cached.signed_at
