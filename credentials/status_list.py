"""Token Status Lists (draft-ietf-oauth-status-list): a compressed array of statuses that the
issuer signs and serves, so that a verifier learns whether a certificate was revoked or
superseded without telling the issuer which certificate it looks at."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.jose import (
    MalformedToken,
    PublicKey,
    SigningKey,
    b64decode,
    b64encode,
    parse_compact,
    sign_compact,
    signature_is_valid,
)

TYP = "statuslist+jwt"
BITS = 2
# Large enough that a certificate's index tells nothing about when or where it was issued.
MINIMUM_SIZE = 131_072

VALID = 0x00
INVALID = 0x01
SUSPENDED = 0x02
# Status 3 is the application's own: here, replaced by a newer certificate.
SUPERSEDED = 0x03


class InvalidStatusList(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def encode(statuses: Mapping[int, int], size: int, bits: int = BITS) -> str:
    """`lst`: each index's status packed `bits` to a status, least significant bits first,
    DEFLATE-compressed (zlib) and base64url-encoded."""
    per_byte = 8 // bits
    data = bytearray((size + per_byte - 1) // per_byte)
    for index, status in statuses.items():
        if not 0 <= index < size or not 0 <= status < 2**bits:
            raise ValueError(f"status {status} at index {index} does not fit")
        data[index // per_byte] |= status << (index % per_byte * bits)
    return b64encode(zlib.compress(bytes(data), 9))


@dataclass(frozen=True)
class StatusList:
    bits: int
    data: bytes

    @classmethod
    def decode(cls, lst: str, bits: int) -> StatusList:
        if bits not in (1, 2, 4, 8):
            raise InvalidStatusList("MALFORMED", "bits is 1, 2, 4 or 8")
        try:
            return cls(bits, zlib.decompress(b64decode(lst)))
        except (MalformedToken, zlib.error):
            raise InvalidStatusList("MALFORMED", "lst is not compressed base64url") from None

    @property
    def size(self) -> int:
        return len(self.data) * 8 // self.bits

    def status(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise InvalidStatusList("INDEX_OUT_OF_RANGE", f"no index {index} in this list")
        per_byte = 8 // self.bits
        shift = index % per_byte * self.bits
        return int((self.data[index // per_byte] >> shift) & (2**self.bits - 1))


def sign(uri: str, lst: str, key: SigningKey, *, issued_at: int, ttl: int, bits: int = BITS) -> str:
    payload: dict[str, Any] = {
        "sub": uri,
        "iat": issued_at,
        "exp": issued_at + 2 * ttl,
        "ttl": ttl,
        "status_list": {"bits": bits, "lst": lst},
    }
    return sign_compact(TYP, payload, key)


def verify(token: str, keys: Mapping[str, PublicKey], *, uri: str, now: int) -> StatusList:
    """The list a status-list JWT carries, once its signature, subject and time check out."""
    return verify_issued(token, keys, uri=uri, now=now)[1]


def verify_issued(
    token: str, keys: Mapping[str, PublicKey], *, uri: str, now: int
) -> tuple[int, StatusList]:
    """As `verify`, with the list's `iat`, so that of two cached lists the newer wins."""
    try:
        jws = parse_compact(token.strip())
    except MalformedToken as error:
        raise InvalidStatusList("MALFORMED", str(error)) from None
    if jws.header.get("typ") != TYP:
        raise InvalidStatusList("WRONG_TYPE", f"typ must be {TYP!r}")
    kid = jws.header.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None or not signature_is_valid(jws, key):
        raise InvalidStatusList("BAD_SIGNATURE", "not signed by this issuer")
    payload = jws.payload
    if payload.get("sub") != uri:
        raise InvalidStatusList("WRONG_LIST", f"this is not the list at {uri}")
    expires = payload.get("exp")
    if isinstance(expires, int) and now >= expires:
        raise InvalidStatusList("STALE", "the status list has expired: fetch it again")
    status_list = payload.get("status_list")
    if not isinstance(status_list, dict):
        raise InvalidStatusList("MALFORMED", "no status_list claim")
    lst, bits = status_list.get("lst"), status_list.get("bits")
    issued = payload.get("iat")
    if not isinstance(lst, str) or not isinstance(bits, int) or not isinstance(issued, int):
        raise InvalidStatusList("MALFORMED", "status_list has bits and lst, the list an iat")
    return issued, StatusList.decode(lst, bits)
