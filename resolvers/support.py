"""Support measures: created by staff, asked about by partners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credentials.certificate import Verdict
from domain.clock import japan_date
from domain.support import MeasureDraft, ShownCertificate, SupportMeasure, ineligibility
from domain.tiers import Tier
from persistence import mapping
from resolvers import certificates, inputs
from resolvers.context import Context
from services import support


async def create(
    context: Context,
    code: str,
    title: str,
    description: str,
    minimum_tier: Tier,
    valid_from: date,
    valid_until: date,
    partner_id: str | None,
) -> SupportMeasure:
    draft = MeasureDraft(
        inputs.code(code), partner_id, title, description, minimum_tier, valid_from, valid_until
    )
    return await support.create_support_measure(
        context.unit_of_work(), context.signed_in(), draft, context.clock
    )


@dataclass(frozen=True)
class Eligibility:
    verdict: Verdict
    reason: str | None


def decide(context: Context, verdict: Verdict, measure: SupportMeasure | None) -> Eligibility:
    """Whether the holder of the certificate judged may receive the measure today."""
    shown = ShownCertificate(
        valid=verdict.valid,
        status=verdict.status.value,
        tier=certificates.shown_tier(verdict),
        municipality_code=verdict.municipality_code,
    )
    reason = ineligibility(
        measure, context.signed_in().partner_id, shown, japan_date(context.clock.now())
    )
    return Eligibility(verdict, reason)


async def eligibility(context: Context, token: str, measure_id: str) -> Eligibility:
    row = await context.loaders.support_measure_by_id.load(
        inputs.id_of("SupportMeasure", measure_id, "measureId")
    )
    verdict = await certificates.verify(context, token)
    return decide(context, verdict, mapping.support_measure_from_row(row) if row else None)
