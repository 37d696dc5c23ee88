"""What happens in a municipality, as its dashboard sees it: no personal data, only what
happened, when, to which record, and at which tier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.tiers import Tier


class EventType(StrEnum):
    REGISTERED = "REGISTERED"
    WITHDRAWN = "WITHDRAWN"
    PREMIUM_GRANTED = "PREMIUM_GRANTED"
    PREMIUM_LAPSED = "PREMIUM_LAPSED"
    ACTIVITY_RECORDED = "ACTIVITY_RECORDED"
    ACTIVITY_REVIEWED = "ACTIVITY_REVIEWED"
    CERTIFICATE_ISSUED = "CERTIFICATE_ISSUED"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    NOTICE_PUBLISHED = "NOTICE_PUBLISHED"
    # A file of the municipality's list was taken in: one event for the whole file.
    LIST_IMPORTED = "LIST_IMPORTED"


class SubjectKind(StrEnum):
    """What `subject_id` names, so that it can be shown as that record's global ID."""

    REGISTRATION = "Registration"
    ACTIVITY = "Activity"
    NOTICE = "Notice"
    IMPORT_JOB = "ImportJob"


@dataclass(frozen=True)
class MunicipalEvent:
    type: EventType
    municipality_code: str
    occurred_at: datetime
    subject_kind: SubjectKind
    subject_id: uuid.UUID
    tier: Tier | None = None
