"""The registration certificate (登録証) as an SD-JWT VC, and the verdict a partner gets.

A partner learns whether the certificate is genuine and in force, its tier, municipality,
serial number and validity. The holder's name travels only as a selectively disclosable
claim that the app leaves out of what partners scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from credentials import sd_jwt, status_list
from credentials.jose import PublicKey, SigningKey


class VerificationStatus(StrEnum):
    VALID = "VALID"
    SUPERSEDED = "SUPERSEDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SUSPENDED = "SUSPENDED"
    INVALID = "INVALID"


TYP = "dc+sd-jwt"
VCT = "urn:jp:furusato:registration-certificate:1"
# A basic certificate is valid until withdrawn; its tokens are refreshed by the app within this.
OPEN_ENDED_TOKEN_SECONDS = 365 * 24 * 3600
# A kept token is made anew this long before it ends (renew_after).
RENEW_BEFORE_SECONDS = 30 * 24 * 3600
DISPLAY_NAME = "display_name"


@dataclass(frozen=True)
class CertificateClaims:
    serial_number: str
    tier: str
    municipality_code: str
    valid_from: int
    valid_until: int | None
    status_list_uri: str
    status_index: int
    display_name: str | None


# Always two digests: whether the holder gave a name is not for partners to learn.
DIGESTS = 2


def issue_token(
    claims: CertificateClaims, key: SigningKey, issuer: str, now: int
) -> sd_jwt.IssuedSdJwt:
    """The token with the holder's name as a disclosure, for the holder to add when they
    choose."""
    disclosable = {DISPLAY_NAME: claims.display_name} if claims.display_name else {}
    return sd_jwt.issue(_payload(claims, issuer, now), disclosable, key, TYP, digests=DIGESTS)


def renew_after(claims: CertificateClaims, now: int) -> int:
    """When a token issued now is to be made anew, if it is kept: a month before an open-ended
    one ends, so that the token shown always has that long to run; at the end of one that
    ends with its certificate, as nothing is shown after."""
    if claims.valid_until is not None:
        return claims.valid_until
    return now + OPEN_ENDED_TOKEN_SECONDS - RENEW_BEFORE_SECONDS


def holder_name(disclosures: Iterable[str]) -> str | None:
    """The holder's name a token's disclosures carry, if any."""
    for disclosure in disclosures:
        claim = sd_jwt.disclosure_claim(disclosure)
        if claim is not None and claim[0] == DISPLAY_NAME and isinstance(claim[1], str):
            return claim[1]
    return None


def _payload(claims: CertificateClaims, issuer: str, now: int) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "iss": issuer,
        "iat": now,
        "nbf": claims.valid_from,
        "exp": claims.valid_until or now + OPEN_ENDED_TOKEN_SECONDS,
        "vct": VCT,
        "serial_number": claims.serial_number,
        "tier": claims.tier,
        "municipality_code": claims.municipality_code,
        "status": {"status_list": {"idx": claims.status_index, "uri": claims.status_list_uri}},
    }
    if claims.valid_until is not None:
        payload["valid_until"] = claims.valid_until
    return payload


class StatusUnavailable(Exception):
    """The status list the certificate points into could not be had or trusted."""


# Given a status list's URI and an index in it, the status there.
StatusLookup = Callable[[str, int], int]

# How the platform's certificate statuses are written into status lists.
LIST_VALUE = {
    "VALID": status_list.VALID,
    "REVOKED": status_list.INVALID,
    "EXPIRED": status_list.INVALID,
    "SUPERSEDED": status_list.SUPERSEDED,
}
_STATUSES = {
    status_list.VALID: VerificationStatus.VALID,
    status_list.INVALID: VerificationStatus.REVOKED,
    status_list.SUSPENDED: VerificationStatus.SUSPENDED,
    status_list.SUPERSEDED: VerificationStatus.SUPERSEDED,
}


@dataclass(frozen=True)
class Verdict:
    valid: bool
    status: VerificationStatus
    reason: str | None = None
    serial_number: str | None = None
    tier: str | None = None
    municipality_code: str | None = None
    valid_until: int | None = None


@dataclass(frozen=True)
class Reading:
    """A genuine, current certificate token, before its status is looked up."""

    serial_number: str
    tier: str
    municipality_code: str
    valid_until: int | None
    status_list_uri: str
    status_index: int

    def verdict(self, list_value: int | None) -> Verdict:
        """The verdict once the status list has answered (None: it could not)."""
        facts = (self.serial_number, self.tier, self.municipality_code, self.valid_until)
        if list_value is None:
            return Verdict(False, VerificationStatus.INVALID, "STATUS_UNAVAILABLE", *facts)
        status = _STATUSES.get(list_value)
        if status is None:
            return Verdict(False, VerificationStatus.INVALID, "UNKNOWN_STATUS", *facts)
        if status is not VerificationStatus.VALID:
            return Verdict(False, status, status.value, *facts)
        return Verdict(True, VerificationStatus.VALID, None, *facts)


def _invalid(reason: str) -> Verdict:
    return Verdict(valid=False, status=VerificationStatus.INVALID, reason=reason)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_token(
    token: str, keys: Mapping[str, PublicKey], issuer: str, now: int
) -> Reading | Verdict:
    """The certificate a token carries, or the verdict already reached without its status.
    Never raises for a bad token: each failure has its reason."""
    try:
        verified = sd_jwt.verify(token, keys, now=now, typ=TYP, times=False)
    except sd_jwt.InvalidSdJwt as error:
        return _invalid(error.reason)
    claims = verified.claims
    if claims.get("iss") != issuer:
        return _invalid("WRONG_ISSUER")
    if claims.get("vct") != VCT:
        return _invalid("WRONG_TYPE")
    serial, tier, code = (claims.get(n) for n in ("serial_number", "tier", "municipality_code"))
    valid_until = claims.get("valid_until")
    reference = claims.get("status")
    pointer = reference.get("status_list") if isinstance(reference, dict) else None
    uri = pointer.get("uri") if isinstance(pointer, dict) else None
    index = pointer.get("idx") if isinstance(pointer, dict) else None
    if not (
        isinstance(serial, str)
        and isinstance(tier, str)
        and isinstance(code, str)
        and (valid_until is None or _is_int(valid_until))
        and isinstance(uri, str)
        and isinstance(index, int)
        and not isinstance(index, bool)
    ):
        return _invalid("MALFORMED")
    # Genuine: an expired or early certificate is reported with what it is.
    facts = (serial, tier, code, valid_until)
    try:
        sd_jwt.check_times(claims, now)
    except sd_jwt.InvalidSdJwt as error:
        if error.reason in ("EXPIRED", "NOT_YET_VALID"):
            return Verdict(False, VerificationStatus(error.reason), error.reason, *facts)
        return _invalid(error.reason)
    if valid_until is not None and now >= valid_until:
        return Verdict(False, VerificationStatus.EXPIRED, "EXPIRED", *facts)
    return Reading(serial, tier, code, valid_until, uri, index)


def verify_token(
    token: str,
    keys: Mapping[str, PublicKey],
    issuer: str,
    status_of: StatusLookup,
    now: int,
) -> Verdict:
    """What a certificate token proves now, its status read through `status_of`."""
    reading = read_token(token, keys, issuer, now)
    if isinstance(reading, Verdict):
        return reading
    try:
        value: int | None = status_of(reading.status_list_uri, reading.status_index)
    except (StatusUnavailable, status_list.InvalidStatusList):
        value = None
    return reading.verdict(value)
