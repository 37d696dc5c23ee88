"""Registrations: a person's tie to one municipality or prefecture, and its life."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.certificates import Certificate, CertificateStatus, issue_certificate
from domain.clock import japan_date, one_year_after
from domain.errors import Refusal
from domain.events import EventType, MunicipalEvent, SubjectKind
from domain.identifiers import new_id
from domain.places import Participation, is_participating
from domain.premium import PremiumStanding, check_premium
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship, distinct_interests


class RegistrationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"


@dataclass
class Registration:
    id: uuid.UUID
    resident_id: uuid.UUID
    municipality_code: str
    relationship: Relationship
    interests: tuple[Interest, ...]
    registered_at: datetime
    status: RegistrationStatus = RegistrationStatus.ACTIVE
    tier: Tier = Tier.BASIC
    premium_granted_at: datetime | None = None
    premium_until: datetime | None = None
    withdrawn_at: datetime | None = None
    # The certificate in force first; certificates this unit of work ended or issued follow.
    certificates: list[Certificate] = field(default_factory=list)
    # What happened to it in this unit of work, for the municipality's event stream.
    events: list[MunicipalEvent] = field(default_factory=list)

    def happened(self, event: EventType, now: datetime) -> None:
        self.events.append(
            MunicipalEvent(
                event, self.municipality_code, now, SubjectKind.REGISTRATION, self.id, self.tier
            )
        )

    @property
    def active(self) -> bool:
        return self.status is RegistrationStatus.ACTIVE

    @property
    def certificate(self) -> Certificate | None:
        """The one the registrant shows: the certificate in force, else the last one issued."""
        in_force = [c for c in self.certificates if c.status is CertificateStatus.VALID]
        shown = in_force or self.certificates
        return shown[-1] if shown else None

    def premium_in_force(self, now: datetime) -> bool:
        return premium_in_force(self.status, self.tier, self.premium_until, now)

    def replace_certificate(self, tier: Tier, now: datetime, valid_until: datetime | None) -> None:
        """Issue a new certificate; the one it replaces is superseded."""
        current = self.certificate
        if current is not None:
            current.end(CertificateStatus.SUPERSEDED, now)
        self.certificates.append(issue_certificate(self.id, tier, now, valid_until))


def premium_in_force(
    status: RegistrationStatus, tier: Tier, premium_until: datetime | None, now: datetime
) -> bool:
    return (
        status is RegistrationStatus.ACTIVE
        and tier is Tier.PREMIUM
        and premium_until is not None
        and now < premium_until
    )


def tier_at(tier: Tier, premium_until: datetime | None, now: datetime) -> Tier:
    """Premium that has run out is basic, before and after the lapse is written."""
    if tier is Tier.PREMIUM and (premium_until is None or premium_until <= now):
        return Tier.BASIC
    return tier


def register(
    resident_id: uuid.UUID,
    municipality_code: str,
    participation: Participation | None,
    already_registered: bool,
    relationship: Relationship,
    interests: list[Interest],
    now: datetime,
) -> Registration:
    """Basic registration; its basic certificate is issued at once."""
    if not is_participating(participation, japan_date(now)):
        raise Refusal(
            "MUNICIPALITY_NOT_PARTICIPATING",
            "this place does not take part in the platform yet",
            "municipalityCode",
        )
    if already_registered:
        raise Refusal(
            "ALREADY_REGISTERED", "you are registered with this place already", "municipalityCode"
        )
    registration = Registration(
        id=new_id(),
        resident_id=resident_id,
        municipality_code=municipality_code,
        relationship=relationship,
        interests=distinct_interests(interests),
        registered_at=now,
    )
    registration.certificates.append(issue_certificate(registration.id, Tier.BASIC, now, None))
    registration.happened(EventType.REGISTERED, now)
    registration.happened(EventType.CERTIFICATE_ISSUED, now)
    return registration


def withdraw(registration: Registration, now: datetime) -> None:
    """Withdrawal ends the registration and any premium; its certificate is revoked."""
    if not registration.active:
        raise Refusal(
            "REGISTRATION_NOT_ACTIVE", "the registration has been withdrawn", "registrationId"
        )
    registration.status = RegistrationStatus.WITHDRAWN
    registration.withdrawn_at = now
    registration.tier = Tier.BASIC
    current = registration.certificate
    if current is not None:
        current.end(CertificateStatus.REVOKED, now)
    registration.happened(EventType.WITHDRAWN, now)
    registration.happened(EventType.CERTIFICATE_REVOKED, now)


def grant_premium(registration: Registration, standing: PremiumStanding, now: datetime) -> None:
    """Grant or renew premium for a year from now, with a new premium certificate."""
    check_premium(standing)
    registration.tier = Tier.PREMIUM
    registration.premium_granted_at = now
    registration.premium_until = one_year_after(now)
    registration.replace_certificate(Tier.PREMIUM, now, registration.premium_until)
    registration.happened(EventType.PREMIUM_GRANTED, now)
    registration.happened(EventType.CERTIFICATE_ISSUED, now)


def lapse_premium(registration: Registration, now: datetime) -> bool:
    """Premium not renewed within its year turns basic again; True when it did now."""
    if registration.tier is not Tier.PREMIUM or registration.premium_in_force(now):
        return False
    registration.tier = Tier.BASIC
    current = registration.certificate
    if current is not None:
        current.end(CertificateStatus.EXPIRED, now)
    registration.happened(EventType.PREMIUM_LAPSED, now)
    if registration.active:
        registration.certificates.append(issue_certificate(registration.id, Tier.BASIC, now, None))
        registration.happened(EventType.CERTIFICATE_ISSUED, now)
    return True
