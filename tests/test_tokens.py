"""Bearer tokens: the local issuer, and verification with an identity provider's JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import ECAlgorithm

from domain.roles import Actor, Role
from edge.tokens import InvalidToken, LocalIssuer, TokenVerifier, actor_from_claims, key_id

ISSUER, AUDIENCE = "https://idp.example.jp", "furusato"


@pytest.fixture
def local() -> tuple[LocalIssuer, TokenVerifier]:
    issuer = LocalIssuer(Ed25519PrivateKey.generate(), ISSUER, AUDIENCE)
    return issuer, TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, local_key=issuer.key.public_key()
    )


def test_a_local_token_names_its_key_and_verifies(local: tuple[LocalIssuer, TokenVerifier]) -> None:
    issuer, verifier = local
    token = issuer.mint({"sub": "s", "role": "resident", "identity_verified": True}, 60)
    assert jwt.get_unverified_header(token)["kid"] == key_id(issuer.key.public_key())
    actor = verifier.verify(token)
    assert (actor.subject, actor.role, actor.identity_verified) == ("s", Role.RESIDENT, True)


def test_untrusted_tokens_are_refused(local: tuple[LocalIssuer, TokenVerifier]) -> None:
    issuer, verifier = local
    claims = {"sub": "s", "role": "resident"}
    stranger = LocalIssuer(Ed25519PrivateKey.generate(), ISSUER, AUDIENCE)
    other_issuer = LocalIssuer(issuer.key, "https://elsewhere", AUDIENCE)
    other_audience = LocalIssuer(issuer.key, ISSUER, "someone-else")
    unsigned = jwt.encode({**claims, "iss": ISSUER, "aud": AUDIENCE, "exp": 2**40}, "", "none")
    for token in (
        stranger.mint(claims, 60),
        other_issuer.mint(claims, 60),
        other_audience.mint(claims, 60),
        issuer.mint(claims, -120),
        unsigned,
        issuer.mint(claims, 60)[:-4] + "AAAA",
        "",
    ):
        with pytest.raises(InvalidToken):
            verifier.verify(token)


def test_a_verified_token_is_checked_again_after_a_minute_or_its_expiry() -> None:
    issuer = LocalIssuer(Ed25519PrivateKey.generate(), ISSUER, AUDIENCE)
    now = [time.time()]
    verifier = TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, local_key=issuer.key.public_key(), clock=lambda: now[0]
    )
    checks: list[str] = []
    check = verifier._verify

    def counted(token: str) -> tuple[Actor, float]:
        checks.append(token)
        return check(token)

    verifier._verify = counted  # type: ignore[method-assign]
    lasting = issuer.mint({"sub": "s", "role": "resident"}, 3600)
    brief = issuer.mint({"sub": "b", "role": "resident"}, 10)
    # What the edge asks first, on the event loop: nothing until a token was verified.
    assert verifier.verified(lasting) is None
    for _ in range(3):
        assert verifier.verify(lasting).subject == "s"
        assert verifier.verify(brief).subject == "b"
    assert checks == [lasting, brief]
    assert verifier.verified(lasting) == verifier.verify(lasting)
    now[0] += 11  # past the brief token's expiry, within the minute
    verifier.verify(lasting)
    verifier.verify(brief)
    assert checks == [lasting, brief, brief]
    now[0] += 50
    verifier.verify(lasting)
    assert checks == [lasting, brief, brief, lasting]
    # A refused token is never kept: it is checked (and refused) each time.
    forged = lasting[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
    assert checks[-2:] == [forged, forged]


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "resident"},
        {"sub": "s", "role": "mayor"},
        {"sub": "s", "role": "staff"},
        {"sub": "s", "role": "staff", "municipality": "204855"},
        {"sub": "s", "role": "integration"},
        {"sub": "s", "role": "partner"},
        {"sub": "x" * 256, "role": "resident"},
    ],
)
def test_claims_that_make_no_caller(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        actor_from_claims(claims)


def test_a_residents_municipality_claim_is_ignored() -> None:
    actor = actor_from_claims({"sub": "s", "role": "resident", "municipality": "204854"})
    assert actor.municipality_code is None
    assert not actor.administers("204854")


@pytest.fixture
def identity_provider() -> Iterator[tuple[str, Any]]:
    """A JWKS endpoint on loopback, as a real identity provider publishes one."""
    key = generate_private_key(SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "idp-1", "use": "sig", "alg": "ES256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    finally:
        server.shutdown()
        server.server_close()


def test_tokens_of_a_real_identity_provider_verify_with_its_jwks(
    identity_provider: tuple[str, Any],
) -> None:
    url, key = identity_provider
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
    assert verifier.fetches_keys
    claims = {
        "sub": "mynumber-123",
        "role": "resident",
        "identity_verified": True,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": 1,
        "exp": 2**40,
    }
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "idp-1"})
    assert verifier.verify(token).subject == "mynumber-123"
    forged = jwt.encode(
        claims, generate_private_key(SECP256R1()), "ES256", headers={"kid": "idp-1"}
    )
    with pytest.raises(InvalidToken):
        verifier.verify(forged)
    unknown_key = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "idp-2"})
    with pytest.raises(InvalidToken):
        verifier.verify(unknown_key)
