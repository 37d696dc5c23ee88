"""The domain's closed lists, registered as GraphQL enums under the contract's names."""

from __future__ import annotations

import strawberry

from credentials.certificate import VerificationStatus
from domain.activities import ActivityStatus
from domain.audit import AuditKind
from domain.certificates import CertificateStatus
from domain.events import EventType
from domain.imports import ImportKind, ImportStatus
from domain.notices import NoticeAudience, NoticeKind
from domain.places import PlaceKind as MunicipalityKind
from domain.registrations import RegistrationStatus
from domain.tiers import Tier as RegistrationTier
from domain.vocabulary import ActivityKind, Interest, Relationship

for enum, name in (
    (RegistrationTier, "RegistrationTier"),
    (RegistrationStatus, "RegistrationStatus"),
    (CertificateStatus, "CertificateStatus"),
    (ActivityStatus, "ActivityStatus"),
    (ActivityKind, "ActivityKind"),
    (Relationship, "Relationship"),
    (Interest, "Interest"),
    (MunicipalityKind, "MunicipalityKind"),
    (VerificationStatus, "CertificateVerificationStatus"),
    (NoticeKind, "NoticeKind"),
    (EventType, "MunicipalEventType"),
    (NoticeAudience, "NoticeAudience"),
    (AuditKind, "AuditKind"),
    (ImportKind, "ImportKind"),
    (ImportStatus, "ImportStatus"),
):
    strawberry.enum(enum, name=name)

__all__ = [
    "ActivityKind",
    "ActivityStatus",
    "AuditKind",
    "CertificateStatus",
    "EventType",
    "ImportKind",
    "ImportStatus",
    "Interest",
    "MunicipalityKind",
    "NoticeAudience",
    "NoticeKind",
    "RegistrationStatus",
    "RegistrationTier",
    "Relationship",
    "VerificationStatus",
]
