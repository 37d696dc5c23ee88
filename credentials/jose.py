"""The parts of JOSE the certificates need: base64url, JWKs, and compact JWS with EdDSA
(Ed25519) or ES256, written against RFC 7515, 7517, 7518, 7638 and 8037."""

from __future__ import annotations

import binascii
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, TypeAlias

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

PublicKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey: TypeAlias = Ed25519PrivateKey | ec.EllipticCurvePrivateKey

# Only these; `none` and anything symmetric are never accepted.
ALGORITHMS = frozenset({"EdDSA", "ES256"})
_P256_COORDINATE = 32
# Made once: verification is the partners' hot path.
_ES256 = ec.ECDSA(hashes.SHA256())


class MalformedToken(ValueError):
    """Not a token at all: bad encoding, bad JSON, wrong number of parts."""


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64encode(data: bytes) -> str:
    """base64url without padding; binascii directly, as base64.urlsafe_b64encode wraps it in
    three more calls (a token is four of these)."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode()


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_TO_STANDARD = str.maketrans("-_", "+/")


def b64decode(text: str) -> bytes:
    """Strict base64url without padding: one encoding per value, so that a token cannot be
    varied (by stray characters or spare bits) and still verify."""
    if len(text) % 4 == 1 or not _BASE64URL.fullmatch(text):
        raise MalformedToken("not base64url without padding")
    padded = text.translate(_TO_STANDARD) + "=" * (-len(text) % 4)
    try:
        data = binascii.a2b_base64(padded, strict_mode=True)
    except (binascii.Error, ValueError):
        raise MalformedToken("not base64url") from None
    if b64encode(data) != text:
        raise MalformedToken("not the canonical base64url of its bytes")
    return data


def parse_json(data: bytes) -> object:
    """orjson: several times the standard library's speed on a token's parts (a partner's
    every check reads two), and stricter where a token has no business being odd: UTF-8 only,
    no NaN, no lone surrogates, nesting refused past 1,024 levels."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise MalformedToken("not JSON") from None


def json_object(data: bytes) -> dict[str, Any]:
    value = parse_json(data)
    if not isinstance(value, dict):
        raise MalformedToken("not a JSON object")
    return value


def compact_json(value: object) -> bytes:
    """UTF-8 JSON without spaces: what every signed header and payload is made of. An instant
    or a dataclass is refused, as json.dumps refused them: a claim's time is a number."""
    return orjson.dumps(
        value, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )


def public_jwk(key: PublicKey) -> dict[str, str]:
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64encode(raw)}
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64encode(numbers.x.to_bytes(_P256_COORDINATE, "big")),
        "y": b64encode(numbers.y.to_bytes(_P256_COORDINATE, "big")),
    }


def thumbprint(key: PublicKey) -> str:
    """RFC 7638: the key's own name, used as `kid`."""
    members = json.dumps(public_jwk(key), sort_keys=True, separators=(",", ":"))
    return b64encode(hashlib.sha256(members.encode()).digest())


def key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"]))
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x = int.from_bytes(b64decode(jwk["x"]), "big")
            y = int.from_bytes(b64decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise MalformedToken(f"not a usable JWK: {error}") from None
    raise MalformedToken("only Ed25519 (OKP) and P-256 (EC) keys are used")


def algorithm_of(key: PublicKey | PrivateKey) -> str:
    return "EdDSA" if isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)) else "ES256"


@dataclass(frozen=True)
class SigningKey:
    private: PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        """A new ES256 (P-256) key: on the machines measured, partners verify ES256 faster
        than EdDSA (bench/REPORT-certificates.md)."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def public(self) -> PublicKey:
        return self.private.public_key()

    @functools.cached_property
    def kid(self) -> str:
        """Named once: every token signed carries it."""
        return thumbprint(self.public)

    @functools.cached_property
    def algorithm(self) -> str:
        """Told once: a key type check goes through the ABC machinery each time."""
        return algorithm_of(self.private)

    def sign(self, signing_input: bytes) -> bytes:
        private = self.private
        if isinstance(private, Ed25519PrivateKey):
            return private.sign(signing_input)
        r, s = decode_dss_signature(private.sign(signing_input, _ES256))
        return r.to_bytes(_P256_COORDINATE, "big") + s.to_bytes(_P256_COORDINATE, "big")


def sign_compact(typ: str, payload: dict[str, Any], key: SigningKey) -> str:
    protected = _protected_header(typ, key.algorithm, key.kid)
    signing_input = f"{protected}.{b64encode(compact_json(payload))}"
    return f"{signing_input}.{b64encode(key.sign(signing_input.encode('ascii')))}"


@functools.lru_cache(maxsize=64)
def _protected_header(typ: str, algorithm: str, kid: str) -> str:
    """The encoded protected header: the same few for every token a key signs."""
    return b64encode(compact_json({"typ": typ, "alg": algorithm, "kid": kid}))


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_compact(token: str) -> Jws:
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("a compact JWS has three parts")
    header = json_object(b64decode(parts[0]))
    payload = json_object(b64decode(parts[1]))
    return Jws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), b64decode(parts[2]))


def signature_is_valid(jws: Jws, key: PublicKey) -> bool:
    """True only when the header's algorithm is allowed, fits the key, and the signature holds."""
    algorithm = jws.header.get("alg")
    if algorithm not in ALGORITHMS or algorithm != algorithm_of(key):
        return False
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(jws.signature, jws.signing_input)
            return True
        if len(jws.signature) != 2 * _P256_COORDINATE:
            return False
        r = int.from_bytes(jws.signature[:_P256_COORDINATE], "big")
        s = int.from_bytes(jws.signature[_P256_COORDINATE:], "big")
        key.verify(encode_dss_signature(r, s), jws.signing_input, _ES256)
        return True
    except InvalidSignature:
        return False
