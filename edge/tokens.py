"""Bearer tokens: the local issuer of the embedded default, and verification of any issuer."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain import municipality_code
from domain.roles import Actor, Role

ALGORITHM = "EdDSA"
LEEWAY_SECONDS = 30
# An app sends the same bearer token with every request while it lasts: a worker keeps the
# callers it verified for a minute (never past a token's expiry), so that a token is checked
# once a minute instead of once a request (a check costs some 90 us of CPU; a compiled
# MyProfile, all of it, some 600). A minute also bounds how long a key the identity provider
# withdrew still vouches for a token it signed.
VERIFIED_SECONDS = 60.0
VERIFIED_MAX = 10_000


class InvalidToken(Exception):
    """The token cannot be trusted: bad signature, expired, wrong issuer or malformed claims."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}


def key_id(key: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint, so a rotated key gets a new `kid` by itself."""
    members = json.dumps(_public_jwk(key), sort_keys=True, separators=(",", ":"))
    return _b64(hashlib.sha256(members.encode()).digest())


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created readable by its owner only; a second process racing here keeps the first key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_key(path)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


@dataclass(frozen=True)
class LocalIssuer:
    key: Ed25519PrivateKey
    issuer: str
    audience: str

    def mint(self, claims: dict[str, Any], ttl_seconds: int) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(
            payload, self.key, algorithm=ALGORITHM, headers={"kid": key_id(self.key.public_key())}
        )


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """The caller the claims describe; InvalidToken when they do not make a caller."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise InvalidToken("the token names no subject")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise InvalidToken(f"the token's role must be one of {[r.value for r in Role]}") from None
    place = claims.get("municipality")
    if role in (Role.STAFF, Role.INTEGRATION):
        if not isinstance(place, str) or not municipality_code.is_valid(place):
            raise InvalidToken(f"a {role.value} token names its municipality by a valid code")
    else:
        place = None
    partner = claims.get("partner")
    if role is Role.PARTNER and not isinstance(partner, str):
        raise InvalidToken("a partner token names its partner")
    name = claims.get("name")
    birth_year = claims.get("birth_year")
    return Actor(
        subject=subject,
        role=role,
        municipality_code=place,
        partner_id=partner if role is Role.PARTNER else None,
        identity_verified=claims.get("identity_verified") is True,
        name=name if isinstance(name, str) else None,
        birth_year=birth_year if isinstance(birth_year, int) else None,
    )


class TokenVerifier:
    """Verifies with the local issuer's key, or with the keys a real identity provider publishes."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        local_key: Ed25519PublicKey | None = None,
        jwks_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._local_key = local_key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._verified: OrderedDict[str, tuple[Actor, float]] = OrderedDict()
        self._clock = clock

    def verified(self, token: str) -> Actor | None:
        """The caller of a token verified within the minute (and not expired), without I/O."""
        known = self._verified.get(token)
        if known is None:
            return None
        actor, until = known
        if self._clock() < until:
            return actor
        self._verified.pop(token, None)
        return None

    def verify(self, token: str) -> Actor:
        """Blocking only when a JWKS must be fetched; callers run it off the event loop then."""
        known = self.verified(token)
        if known is not None:
            return known
        now = self._clock()
        actor, expires = self._verify(token)
        self._verified[token] = (actor, min(now + VERIFIED_SECONDS, expires))
        if len(self._verified) > VERIFIED_MAX:
            # The earliest verified go first (verify may run in threads: it may be gone).
            with contextlib.suppress(KeyError):
                self._verified.popitem(last=False)
        return actor

    def _verify(self, token: str) -> tuple[Actor, float]:
        """The caller, and when the token expires (epoch seconds)."""
        try:
            if self._jwks is not None:
                signing_key = self._jwks.get_signing_key_from_jwt(token)
                key: Any = signing_key.key
                algorithms = ["EdDSA", "ES256", "RS256"]
            elif self._local_key is not None:
                key = self._local_key
                algorithms = [ALGORITHM]
            else:
                raise InvalidToken("no key to verify tokens with")
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return actor_from_claims(claims), float(claims["exp"])

    @property
    def fetches_keys(self) -> bool:
        return self._jwks is not None
