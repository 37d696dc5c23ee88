"""Selective Disclosure for JWTs (RFC 9901): issuing, presenting and verifying.

Object-property disclosures at the top level of the payload are what the certificates use and
what this supports; a presentation without a Key Binding JWT ends in `~`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from credentials.jose import (
    ALGORITHMS,
    MalformedToken,
    PublicKey,
    SigningKey,
    b64decode,
    b64encode,
    parse_compact,
    parse_json,
    sign_compact,
    signature_is_valid,
)

SD_ALG = "sha-256"
RESERVED_NAMES = frozenset({"_sd", "...", "_sd_alg"})
# How far clocks may disagree, as everywhere that tokens are checked.
LEEWAY_SECONDS = 60


class InvalidSdJwt(Exception):
    """The SD-JWT cannot be trusted; `reason` is a stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def make_disclosure(name: str, value: object, salt: str | None = None) -> str:
    salt = salt if salt is not None else b64encode(secrets.token_bytes(16))
    return b64encode(json.dumps([salt, name, value], ensure_ascii=False).encode())


def digest(disclosure: str) -> str:
    return b64encode(hashlib.sha256(disclosure.encode("ascii")).digest())


@dataclass(frozen=True)
class IssuedSdJwt:
    jwt: str
    disclosures: tuple[str, ...]

    def present(self, disclose: Iterable[str] = ()) -> str:
        """The SD-JWT with only the named claims disclosed (none by default)."""
        wanted = set(disclose)
        # Nothing asked for (the app's default): no disclosure is decoded to be left out.
        chosen = [d for d in self.disclosures if _disclosure_name(d) in wanted] if wanted else []
        return "~".join([self.jwt, *chosen]) + "~"


def issue(
    claims: Mapping[str, Any],
    disclosable: Mapping[str, Any],
    key: SigningKey,
    typ: str,
    digests: int = 0,
) -> IssuedSdJwt:
    """`digests`: pad `_sd` with decoys to at least this many (RFC 9901, decoy digests), so
    that their number does not tell which claims the holder has."""
    clash = (set(claims) & set(disclosable)) | (set(disclosable) & RESERVED_NAMES)
    if clash:
        raise ValueError(f"claims both plain and disclosable, or reserved: {sorted(clash)}")
    disclosures = tuple(make_disclosure(name, value) for name, value in disclosable.items())
    payload = dict(claims)
    hashed = [digest(d) for d in disclosures]
    decoys = max(digests - len(hashed), 0)
    # One draw for all the decoys: a system call each was a measurable part of issuing.
    drawn = secrets.token_bytes(32 * decoys)
    hashed += [b64encode(drawn[32 * n : 32 * (n + 1)]) for n in range(decoys)]
    if hashed:
        # Sorted, so that the order of digests tells nothing about the order of claims.
        payload["_sd"] = sorted(hashed)
        payload["_sd_alg"] = SD_ALG
    return IssuedSdJwt(sign_compact(typ, payload, key), disclosures)


@dataclass(frozen=True)
class VerifiedSdJwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    disclosed: frozenset[str]


def verify(
    sd_jwt: str,
    keys: Mapping[str, PublicKey],
    *,
    now: int,
    typ: str | None,
    times: bool = True,
) -> VerifiedSdJwt:
    """The claims of a genuine SD-JWT; InvalidSdJwt with the reason otherwise. With
    `times=False` its validity period is left for the caller to judge (`check_times`)."""
    try:
        return _verify(sd_jwt, keys, now=now, typ=typ, times=times)
    except MalformedToken as error:
        raise InvalidSdJwt("MALFORMED", str(error)) from None


def _verify(
    sd_jwt: str,
    keys: Mapping[str, PublicKey],
    *,
    now: int,
    typ: str | None,
    times: bool,
) -> VerifiedSdJwt:
    parts = sd_jwt.split("~")
    if len(parts) < 2:
        raise InvalidSdJwt("MALFORMED", "an SD-JWT ends with `~`")
    if parts[-1]:
        raise InvalidSdJwt("MALFORMED", "key binding is not used for these certificates")
    jws = parse_compact(parts[0])
    if jws.header.get("alg") not in ALGORITHMS:
        raise InvalidSdJwt("UNSUPPORTED_ALGORITHM", f"alg {jws.header.get('alg')!r} is refused")
    if typ is not None and jws.header.get("typ") != typ:
        raise InvalidSdJwt("WRONG_TYPE", f"typ must be {typ!r}")
    key = _key_for(jws.header, keys)
    if key is None:
        raise InvalidSdJwt("UNKNOWN_KEY", "not signed by a key of this issuer")
    if not signature_is_valid(jws, key):
        raise InvalidSdJwt("BAD_SIGNATURE", "the signature does not match")
    payload = jws.payload
    if times:
        check_times(payload, now)
    return VerifiedSdJwt(jws.header, *_disclose(payload, parts[1:-1]))


def _key_for(header: Mapping[str, Any], keys: Mapping[str, PublicKey]) -> PublicKey | None:
    """The key the header names; with no `kid`, the issuer's only key, if it has one."""
    kid = header.get("kid")
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    return keys.get(kid) if isinstance(kid, str) else None


def _number(payload: Mapping[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSdJwt("MALFORMED", f"{name} is not a NumericDate")
    return int(value)


def check_times(payload: Mapping[str, Any], now: int) -> None:
    """exp (required), nbf and iat against the clock, with leeway."""
    expires = _number(payload, "exp")
    if expires is None:
        raise InvalidSdJwt("MALFORMED", "exp is required")
    if expires is not None and now >= expires + LEEWAY_SECONDS:
        raise InvalidSdJwt("EXPIRED", "the token's validity has ended")
    for name in ("nbf", "iat"):
        start = _number(payload, name)
        if start is not None and start > now + LEEWAY_SECONDS:
            raise InvalidSdJwt("NOT_YET_VALID", f"{name} lies in the future")


def disclosure_claim(disclosure: str) -> tuple[str, object] | None:
    """The claim a disclosure holds (name, value); None for what is not a disclosure."""
    try:
        value = parse_json(b64decode(disclosure))
    except (MalformedToken, UnicodeDecodeError, ValueError):
        return None
    if isinstance(value, list) and len(value) == 3 and isinstance(value[1], str):
        return value[1], value[2]
    return None


def _disclosure_name(disclosure: str) -> str | None:
    claim = disclosure_claim(disclosure)
    return claim[0] if claim else None


def _disclose(
    payload: dict[str, Any], disclosures: list[str]
) -> tuple[dict[str, Any], frozenset[str]]:
    digests = payload.get("_sd", [])
    if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
        raise InvalidSdJwt("MALFORMED", "_sd is a list of digests")
    if disclosures and payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise InvalidSdJwt("MALFORMED", "only sha-256 digests are used")
    claims = {k: v for k, v in payload.items() if k not in ("_sd", "_sd_alg")}
    seen: set[str] = set()
    disclosed: set[str] = set()
    for disclosure in disclosures:
        hashed = digest(disclosure) if disclosure.isascii() else ""
        if hashed not in digests or hashed in seen:
            raise InvalidSdJwt("MALFORMED", "a disclosure the issuer did not sign, or twice")
        seen.add(hashed)
        try:
            content = parse_json(b64decode(disclosure))
        except (UnicodeDecodeError, ValueError):
            raise InvalidSdJwt("MALFORMED", "a disclosure is not JSON") from None
        if not (
            isinstance(content, list)
            and len(content) == 3
            and isinstance(content[0], str)
            and isinstance(content[1], str)
        ):
            raise InvalidSdJwt("MALFORMED", "a disclosure is [salt, name, value]")
        name = content[1]
        if name in RESERVED_NAMES or name in claims:
            raise InvalidSdJwt("MALFORMED", f"disclosed claim {name!r} clashes")
        claims[name] = content[2]
        disclosed.add(name)
    return claims, frozenset(disclosed)
