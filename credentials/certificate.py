"""The registration certificate (登録証) as an SD-JWT VC, and the verdict a partner gets.

A partner learns whether the certificate is genuine and in force, its tier, municipality,
serial number and validity. The holder's name travels only as a selectively disclosable
claim that the app leaves out of what partners scan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from credentials import sd_jwt, status_list
from credentials.jose import PublicKey, SigningKey

TYP = "dc+sd-jwt"
VCT = "urn:jp:furusato:registration-certificate:1"
# A basic certificate is valid until withdrawn; its tokens are refreshed by the app within this.
OPEN_ENDED_TOKEN_SECONDS = 365 * 24 * 3600
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


def issue_token(
    claims: CertificateClaims, key: SigningKey, issuer: str, now: int
) -> sd_jwt.IssuedSdJwt:
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
    disclosable = {DISPLAY_NAME: claims.display_name} if claims.display_name else {}
    return sd_jwt.issue(payload, disclosable, key, TYP)


class StatusUnavailable(Exception):
    """The status list the certificate points into could not be had or trusted."""


# Given a status list's URI and an index in it, the status there.
StatusLookup = Callable[[str, int], int]


@dataclass(frozen=True)
class Verdict:
    valid: bool
    status: str
    reason: str | None = None
    serial_number: str | None = None
    tier: str | None = None
    municipality_code: str | None = None
    valid_until: int | None = None


_STATUSES = {
    status_list.VALID: "VALID",
    status_list.INVALID: "REVOKED",
    status_list.SUSPENDED: "SUSPENDED",
    status_list.SUPERSEDED: "SUPERSEDED",
}


def _invalid(reason: str) -> Verdict:
    return Verdict(valid=False, status="INVALID", reason=reason)


def verify_token(
    token: str,
    keys: Mapping[str, PublicKey],
    issuer: str,
    status_of: StatusLookup,
    now: int,
) -> Verdict:
    """What a certificate token proves now. Never raises for a bad token: a forgery, a wrong
    type or issuer, garbage, an expired or replaced certificate each has its reason."""
    try:
        verified = sd_jwt.verify(token, keys, now=now, typ=TYP)
    except sd_jwt.InvalidSdJwt as error:
        if error.reason in ("EXPIRED", "NOT_YET_VALID"):
            return Verdict(valid=False, status=error.reason, reason=error.reason)
        return _invalid(error.reason)
    claims = verified.claims
    if claims.get("iss") != issuer:
        return _invalid("WRONG_ISSUER")
    if claims.get("vct") != VCT:
        return _invalid("WRONG_TYPE")
    serial, tier, code = (claims.get(n) for n in ("serial_number", "tier", "municipality_code"))
    valid_until = claims.get("valid_until")
    reference = claims.get("status", {})
    pointer = reference.get("status_list", {}) if isinstance(reference, dict) else {}
    uri, index = (
        (pointer.get("uri"), pointer.get("idx")) if isinstance(pointer, dict) else (None, None)
    )
    if not (
        isinstance(serial, str)
        and isinstance(tier, str)
        and isinstance(code, str)
        and (
            valid_until is None
            or (isinstance(valid_until, int) and not isinstance(valid_until, bool))
        )
        and isinstance(uri, str)
        and isinstance(index, int)
        and not isinstance(index, bool)
    ):
        return _invalid("MALFORMED")
    facts: dict[str, Any] = {
        "serial_number": serial,
        "tier": tier,
        "municipality_code": code,
        "valid_until": valid_until,
    }
    if valid_until is not None and now >= valid_until:
        return Verdict(False, "EXPIRED", "EXPIRED", **facts)
    try:
        status = _STATUSES.get(status_of(uri, index))
    except (StatusUnavailable, status_list.InvalidStatusList):
        return Verdict(False, "INVALID", "STATUS_UNAVAILABLE", **facts)
    if status is None:
        return Verdict(False, "INVALID", "UNKNOWN_STATUS", **facts)
    if status != "VALID":
        return Verdict(False, status, status, **facts)
    return Verdict(True, "VALID", None, **facts)
