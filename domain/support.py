"""Support measures (官民サポート) and who may receive them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain import municipality_code
from domain.errors import Problem, Refusal
from domain.identifiers import new_id
from domain.tiers import Tier

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PARTNER_ID_MAX = 255
_RANK = {Tier.BASIC: 0, Tier.PREMIUM: 1}


@dataclass(frozen=True)
class SupportMeasure:
    id: uuid.UUID
    municipality_code: str
    partner_id: str | None
    title: str
    description: str
    minimum_tier: Tier
    valid_from: date
    valid_until: date
    created_at: datetime
    created_by: str

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until

    def covers(self, place_code: str) -> bool:
        """A prefecture's measure reaches its municipalities' registrants too."""
        if municipality_code.is_prefecture(self.municipality_code):
            return municipality_code.prefecture_of(place_code) == self.municipality_code
        return place_code == self.municipality_code


@dataclass(frozen=True)
class MeasureDraft:
    municipality_code: str
    partner_id: str | None
    title: str
    description: str
    minimum_tier: Tier
    valid_from: date
    valid_until: date


def support_measure(draft: MeasureDraft, created_by: str, now: datetime) -> SupportMeasure:
    problems: list[Problem] = []
    title = draft.title.strip()
    if not title or len(title) > TITLE_MAX:
        problems.append(
            Problem("INVALID_TITLE", f"a title has 1 to {TITLE_MAX} characters", "title")
        )
    if len(draft.description) > DESCRIPTION_MAX:
        problems.append(
            Problem(
                "TOO_LONG", f"a description has at most {DESCRIPTION_MAX} characters", "description"
            )
        )
    partner = draft.partner_id.strip() if draft.partner_id else None
    if draft.partner_id is not None and (not partner or len(partner) > PARTNER_ID_MAX):
        problems.append(Problem("INVALID_PARTNER", "a partner is named by its id", "partnerId"))
    if draft.valid_until < draft.valid_from:
        problems.append(Problem("INVALID_DATES", "a measure ends after it starts", "validUntil"))
    if problems:
        raise Refusal.of(problems)
    return SupportMeasure(
        id=new_id(),
        municipality_code=draft.municipality_code,
        partner_id=partner,
        title=title,
        description=draft.description.strip(),
        minimum_tier=draft.minimum_tier,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        created_at=now,
        created_by=created_by,
    )


@dataclass(frozen=True)
class ShownCertificate:
    """What a partner learned from a certificate: `status` as the verification gave it."""

    valid: bool
    status: str
    tier: Tier | None
    municipality_code: str | None


def ineligibility(
    measure: SupportMeasure | None, partner_id: str | None, shown: ShownCertificate, today: date
) -> str | None:
    """Why the holder may not receive the measure today (a stable code), or None. A partner
    asks only about its own measures: another's answers like one that does not exist."""
    if measure is None or measure.partner_id is None or measure.partner_id != partner_id:
        return "MEASURE_NOT_FOUND"
    if shown.status == "INVALID" or shown.tier is None or shown.municipality_code is None:
        return "INVALID_CERTIFICATE"
    if not shown.valid:
        return "NOT_IN_FORCE"
    if not measure.active_on(today):
        return "MEASURE_NOT_ACTIVE"
    if not measure.covers(shown.municipality_code):
        return "OTHER_MUNICIPALITY"
    if _RANK[shown.tier] < _RANK[measure.minimum_tier]:
        return "TIER_TOO_LOW"
    return None
