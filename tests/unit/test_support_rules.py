"""Support measures: who may receive them, and what a measure must say."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import Refusal
from domain.support import (
    MeasureDraft,
    ShownCertificate,
    SupportMeasure,
    ineligibility,
    support_measure,
)
from domain.tiers import Tier

NOW = datetime(2027, 2, 1, 3, tzinfo=UTC)
TODAY = date(2027, 2, 1)


def measure(
    code: str = "204854",
    tier: Tier = Tier.BASIC,
    valid_from: date = date(2027, 1, 1),
    valid_until: date = date(2027, 12, 31),
) -> SupportMeasure:
    draft = MeasureDraft(code, "partner-1", "リフト券割引", "", tier, valid_from, valid_until)
    return support_measure(draft, "staff", NOW)


def shown(
    tier: Tier = Tier.BASIC, code: str = "204854", *, valid: bool = True, status: str = "VALID"
) -> ShownCertificate:
    return ShownCertificate(valid, status, tier, code)


@pytest.mark.parametrize(
    ("the_measure", "certificate", "partner", "reason"),
    [
        (measure(), shown(), "partner-1", None),
        (measure(), shown(), "partner-2", "MEASURE_NOT_FOUND"),
        (None, shown(), "partner-1", "MEASURE_NOT_FOUND"),
        (measure(), shown(status="INVALID", valid=False), "partner-1", "INVALID_CERTIFICATE"),
        (measure(), shown(status="REVOKED", valid=False), "partner-1", "NOT_IN_FORCE"),
        (measure(valid_from=date(2027, 2, 2)), shown(), "partner-1", "MEASURE_NOT_ACTIVE"),
        (measure(valid_until=date(2027, 1, 31)), shown(), "partner-1", "MEASURE_NOT_ACTIVE"),
        (measure(), shown(code="202011"), "partner-1", "OTHER_MUNICIPALITY"),
        (measure("200000"), shown(code="202011"), "partner-1", None),
        (measure("200000"), shown(code="014583"), "partner-1", "OTHER_MUNICIPALITY"),
        (measure(tier=Tier.PREMIUM), shown(), "partner-1", "TIER_TOO_LOW"),
        (measure(tier=Tier.PREMIUM), shown(Tier.PREMIUM), "partner-1", None),
    ],
)
def test_eligibility(
    the_measure: SupportMeasure | None,
    certificate: ShownCertificate,
    partner: str,
    reason: str | None,
) -> None:
    assert ineligibility(the_measure, partner, certificate, TODAY) == reason


def test_a_measure_must_have_a_title_and_end_after_it_starts() -> None:
    draft = MeasureDraft(
        "204854", " ", " ", "x" * 2001, Tier.BASIC, date(2027, 2, 1), date(2027, 1, 1)
    )
    with pytest.raises(Refusal) as refusal:
        support_measure(draft, "staff", NOW)
    assert [(p.code, p.field) for p in refusal.value.problems] == [
        ("INVALID_TITLE", "title"),
        ("TOO_LONG", "description"),
        ("INVALID_PARTNER", "partnerId"),
        ("INVALID_DATES", "validUntil"),
    ]
