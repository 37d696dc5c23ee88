"""Authentication, once, at the edge: the bearer token becomes the request's Actor."""

from __future__ import annotations

import asyncio

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from domain.roles import Actor
from edge.tokens import InvalidToken, TokenVerifier


class AuthenticatedActor(BaseUser):
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.actor.subject


class BearerTokenBackend(AuthenticationBackend):
    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header takes `Bearer <token>`")
        token = token.strip()
        try:
            actor = self._verifier.verified(token)
            if actor is None:
                # A JWKS may have to be fetched: off the event loop then.
                actor = (
                    await asyncio.to_thread(self._verifier.verify, token)
                    if self._verifier.fetches_keys
                    else self._verifier.verify(token)
                )
        except InvalidToken as error:
            raise AuthenticationError(f"the bearer token is not valid: {error}") from None
        return AuthCredentials([actor.role.value]), AuthenticatedActor(actor)


def unauthenticated(_conn: HTTPConnection, error: AuthenticationError) -> Response:
    """A bad or expired token is refused before any resolver runs, as a GraphQL error."""
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}],
        },
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def actor_of(conn: HTTPConnection) -> Actor | None:
    user = conn.scope.get("user")
    return user.actor if isinstance(user, AuthenticatedActor) else None
