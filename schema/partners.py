"""What partners learn from a certificate, and the support measures they grant."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from credentials.certificate import Verdict
from persistence import tables
from resolvers import certificates, inputs
from schema.enums import RegistrationTier, VerificationStatus
from schema.relay import Node
from schema.types import Ctx, Municipality, municipality


@strawberry.type(
    description="What a certificate proves now: genuine and in force or not, with its tier,"
    " municipality and validity. Nothing about who holds it."
)
class CertificateVerification:
    valid: bool
    status: VerificationStatus
    reason: str | None = strawberry.field(
        description="Why it is not valid: BAD_SIGNATURE, UNKNOWN_KEY, WRONG_TYPE, WRONG_ISSUER,"
        " UNSUPPORTED_ALGORITHM, MALFORMED, EXPIRED, NOT_YET_VALID, REVOKED, SUPERSEDED, ..."
    )
    serial_number: str | None
    tier: RegistrationTier | None
    valid_until: datetime | None = strawberry.field(
        description="End of the certificate's validity; null for a basic certificate, valid"
        " until withdrawn."
    )
    municipality_code: strawberry.Private[str | None]

    @classmethod
    def from_verdict(cls, verdict: Verdict) -> CertificateVerification:
        return cls(
            valid=verdict.valid,
            status=verdict.status,
            reason=verdict.reason,
            serial_number=verdict.serial_number,
            tier=certificates.shown_tier(verdict),
            valid_until=certificates.shown_valid_until(verdict),
            municipality_code=verdict.municipality_code,
        )

    @strawberry.field
    async def municipality(self, info: Ctx) -> Municipality | None:
        return await municipality(info, self.municipality_code) if self.municipality_code else None


@strawberry.type(description="Support offered by a municipality, or by a partner in its scope.")
class SupportMeasure(Node):
    title: str
    description: str
    minimum_tier: RegistrationTier
    valid_from: date
    valid_until: date
    partner_id: str | None
    municipality_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: tables.SupportMeasure) -> SupportMeasure:
        return cls(
            id=strawberry.ID(inputs.global_id("SupportMeasure", row.id)),
            title=row.title,
            description=row.description,
            minimum_tier=RegistrationTier(row.minimum_tier),
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            partner_id=row.partner_id,
            municipality_code=row.municipality_code,
        )

    @strawberry.field(description="The scope: a municipality, or a prefecture and all of its.")
    async def municipality(self, info: Ctx) -> Municipality:
        return await municipality(info, self.municipality_code)


@strawberry.type(description="Whether the holder of a certificate may receive a measure now.")
class SupportEligibility:
    eligible: bool
    reason: str | None = strawberry.field(
        description="Why not: INVALID_CERTIFICATE, NOT_IN_FORCE, MEASURE_NOT_FOUND,"
        " MEASURE_NOT_ACTIVE, OTHER_MUNICIPALITY, TIER_TOO_LOW."
    )
    tier: RegistrationTier | None
    valid_until: datetime | None
    municipality_code: strawberry.Private[str | None]

    @strawberry.field(description="The certificate's municipality.")
    async def municipality(self, info: Ctx) -> Municipality | None:
        return await municipality(info, self.municipality_code) if self.municipality_code else None
