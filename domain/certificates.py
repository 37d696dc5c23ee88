"""Certificates (登録証): what a registrant shows, with a serial number and a status."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.identifiers import new_id
from domain.tiers import Tier

# Crockford's base32: no I, L, O or U, so a serial read aloud or typed is not misread.
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CertificateStatus(StrEnum):
    VALID = "VALID"
    SUPERSEDED = "SUPERSEDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


@dataclass
class Certificate:
    id: uuid.UUID
    registration_id: uuid.UUID
    serial_number: str
    tier: Tier
    issued_at: datetime
    valid_until: datetime | None
    status: CertificateStatus = CertificateStatus.VALID
    ended_at: datetime | None = None

    def end(self, status: CertificateStatus, now: datetime) -> None:
        if self.status is CertificateStatus.VALID:
            self.status = status
            self.ended_at = now


def certificate_status_at(
    stored: CertificateStatus, valid_until: datetime | None, now: datetime
) -> CertificateStatus:
    if stored is CertificateStatus.VALID and valid_until is not None and valid_until <= now:
        return CertificateStatus.EXPIRED
    return stored


def new_serial_number() -> str:
    body = "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(12))
    return f"FR-{body[:4]}-{body[4:8]}-{body[8:]}"


def new_serial_numbers(count: int) -> list[str]:
    """As many serial numbers at once, for certificates issued in bulk: 32 symbols divide 256,
    so five bits of a random byte pick each one evenly."""
    symbols = _SERIAL_ALPHABET
    randomness = secrets.token_bytes(12 * count)
    serials = []
    for start in range(0, 12 * count, 12):
        body = "".join(symbols[byte & 31] for byte in randomness[start : start + 12])
        serials.append(f"FR-{body[:4]}-{body[4:8]}-{body[8:]}")
    return serials


def issue_certificate(
    registration_id: uuid.UUID, tier: Tier, now: datetime, valid_until: datetime | None
) -> Certificate:
    return Certificate(
        id=new_id(),
        registration_id=registration_id,
        serial_number=new_serial_number(),
        tier=tier,
        issued_at=now,
        valid_until=valid_until,
    )
