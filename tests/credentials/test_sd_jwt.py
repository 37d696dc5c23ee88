"""SD-JWT (RFC 9901) against the specification's own examples, and the platform's issuance."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import sd_jwt
from credentials.jose import (
    MalformedToken,
    SigningKey,
    b64encode,
    compact_json,
    key_from_jwk,
    parse_compact,
)

EXAMPLE = (Path(__file__).parent.parent / "data" / "sd_jwt_simple_example.txt").read_text().strip()
# The specification's example issuer key (its public part).
EXAMPLE_ISSUER = key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    }
)
EXAMPLE_ISSUED_AT = 1516239022
EXAMPLE_EXPIRES = 1516247022


def test_the_disclosure_example_of_the_rfc() -> None:
    # RFC 9901, Disclosures for Object Properties: the salt, "family_name", "Möbius".
    disclosure = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert sd_jwt.digest(disclosure) == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"


def test_the_specifications_example_verifies_with_every_claim_disclosed() -> None:
    verified = sd_jwt.verify(
        EXAMPLE, {"example": EXAMPLE_ISSUER}, now=EXAMPLE_ISSUED_AT + 60, typ=None
    )
    assert verified.disclosed == {
        "sub",
        "given_name",
        "family_name",
        "email",
        "phone_number",
        "address",
        "birthdate",
    }
    assert verified.claims["iss"] == "https://example.com/issuer"
    assert verified.claims["given_name"] == "John"
    assert verified.claims["address"]["locality"] == "Anytown"
    assert "_sd" not in verified.claims


def test_the_example_presented_with_fewer_disclosures_hides_them() -> None:
    jwt, *disclosures, _ = EXAMPLE.split("~")
    presented = "~".join([jwt, disclosures[1]]) + "~"
    verified = sd_jwt.verify(presented, {"k": EXAMPLE_ISSUER}, now=EXAMPLE_ISSUED_AT, typ=None)
    assert verified.disclosed == {"given_name"}
    assert "family_name" not in verified.claims


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda t: t.replace(".", ".e", 1), "MALFORMED"),
        (lambda t: t[: t.index("~")], "MALFORMED"),
        (lambda t: t + "extra~", "MALFORMED"),
        (lambda t: t.split("~")[0] + "~WyJzYWx0IiwgInN1YiIsICJtYWxsb3J5Il0~", "MALFORMED"),
        (
            lambda t: "~".join([t.split("~")[0], t.split("~")[1], t.split("~")[1]]) + "~",
            "MALFORMED",
        ),
    ],
)
def test_a_damaged_example_is_refused(mutate: object, reason: str) -> None:
    assert callable(mutate)
    with pytest.raises(sd_jwt.InvalidSdJwt) as refused:
        sd_jwt.verify(mutate(EXAMPLE), {"k": EXAMPLE_ISSUER}, now=EXAMPLE_ISSUED_AT, typ=None)
    assert refused.value.reason == reason


def test_the_example_expires_and_is_not_valid_before_it_was_issued() -> None:
    keys = {"k": EXAMPLE_ISSUER}
    with pytest.raises(sd_jwt.InvalidSdJwt) as late:
        sd_jwt.verify(EXAMPLE, keys, now=EXAMPLE_EXPIRES + sd_jwt.LEEWAY_SECONDS, typ=None)
    assert late.value.reason == "EXPIRED"
    with pytest.raises(sd_jwt.InvalidSdJwt) as early:
        sd_jwt.verify(EXAMPLE, keys, now=EXAMPLE_ISSUED_AT - 3600, typ=None)
    assert early.value.reason == "NOT_YET_VALID"


def test_another_issuers_key_does_not_verify_the_example() -> None:
    other = generate_private_key(SECP256R1()).public_key()
    with pytest.raises(sd_jwt.InvalidSdJwt) as refused:
        sd_jwt.verify(EXAMPLE, {"k": other}, now=EXAMPLE_ISSUED_AT, typ=None)
    assert refused.value.reason == "BAD_SIGNATURE"


@pytest.mark.parametrize(
    "private", [Ed25519PrivateKey.generate(), generate_private_key(SECP256R1())]
)
def test_issue_and_verify_round_trip(private: object) -> None:
    key = SigningKey(private)  # type: ignore[arg-type]
    issued = sd_jwt.issue(
        {"iss": "https://furusato.example", "exp": 2_000_000_000, "tier": "BASIC"},
        {"display_name": "佐藤 花子"},
        key,
        "dc+sd-jwt",
    )
    keys = {key.kid: key.public}
    hidden = sd_jwt.verify(issued.present(), keys, now=1_900_000_000, typ="dc+sd-jwt")
    assert "display_name" not in hidden.claims
    assert hidden.header["typ"] == "dc+sd-jwt"
    shown = sd_jwt.verify(
        issued.present(["display_name"]), keys, now=1_900_000_000, typ="dc+sd-jwt"
    )
    assert shown.claims["display_name"] == "佐藤 花子"
    with pytest.raises(sd_jwt.InvalidSdJwt) as wrong_type:
        sd_jwt.verify(issued.present(), keys, now=1_900_000_000, typ="vc+sd-jwt")
    assert wrong_type.value.reason == "WRONG_TYPE"
    with pytest.raises(sd_jwt.InvalidSdJwt) as unknown:
        sd_jwt.verify(issued.present(), {"other": key.public}, now=1_900_000_000, typ=None)
    assert unknown.value.reason == "UNKNOWN_KEY"


def test_alg_none_is_refused() -> None:
    header = b64encode(compact_json({"alg": "none", "typ": "dc+sd-jwt"}))
    payload = b64encode(compact_json({"iss": "x", "exp": 2_000_000_000}))
    with pytest.raises(sd_jwt.InvalidSdJwt) as refused:
        sd_jwt.verify(f"{header}.{payload}.~", {"k": EXAMPLE_ISSUER}, now=0, typ=None)
    assert refused.value.reason == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize(
    "part",
    [
        '{"alg":"ES256"}'.encode("utf-16"),  # JSON, but not in UTF-8
        b'{"alg":"ES256","x":NaN}',
        b'{"alg":"ES256","x":"\\ud800"}',  # a lone surrogate
    ],
)
def test_a_part_that_is_no_plain_utf8_json_is_malformed(part: bytes) -> None:
    with pytest.raises(MalformedToken):
        parse_compact(f"{b64encode(part)}.e30.AAAA")
