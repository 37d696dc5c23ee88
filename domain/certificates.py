"""Certificates (登録証): what a registrant shows, with a serial number and a status."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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


def issue_certificate(
    registration_id: uuid.UUID, tier: Tier, now: datetime, valid_until: datetime | None
) -> Certificate:
    return Certificate(
        id=uuid.uuid4(),
        registration_id=registration_id,
        serial_number=new_serial_number(),
        tier=tier,
        issued_at=now,
        valid_until=valid_until,
    )
