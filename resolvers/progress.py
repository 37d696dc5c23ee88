"""How far a registration is from premium, from stored values: the schema's field and the
compiled MyProfile (resolvers/compiled.py) both ask here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain.clock import japan_date
from domain.premium import HeldRegistration, PremiumPolicy, premium_refusals, standing_for
from domain.registrations import RegistrationStatus, premium_in_force
from domain.tiers import Tier
from domain.vocabulary import ActivityKind

# One of the person's registrations: (id, status, tier, premium_until), as stored.
Held = tuple[uuid.UUID, str, str, datetime | None]


@dataclass(frozen=True)
class Progress:
    verified_activities: int
    required_activities: int
    window_days: int
    # The refusal codes ApplyForPremium would give now.
    missing: list[str]


def premiums_in_force(held: list[Held], now: datetime) -> list[HeldRegistration]:
    """Each of the person's registrations with whether its premium is in force now: the same
    for every one of their registrations, so told once for all of them where it can be."""
    return [
        (held_id, premium_in_force(RegistrationStatus(status), Tier(tier), until, now))
        for held_id, status, tier, until in held
    ]


def premium_progress(
    *,
    registration_id: uuid.UUID,
    status: str,
    municipality_code: str,
    identity_verified: bool,
    home_municipality_code: str | None,
    verified: list[tuple[str, date]],
    policy: PremiumPolicy,
    in_force: list[HeldRegistration],
    now: datetime,
) -> Progress:
    """`in_force`: premiums_in_force of the person's registrations."""
    standing = standing_for(
        registration_id=registration_id,
        registration_active=status == RegistrationStatus.ACTIVE,
        place_code=municipality_code,
        identity_verified=identity_verified,
        home_municipality_code=home_municipality_code,
        verified=[(ActivityKind(kind), day) for kind, day in verified],
        policy=policy,
        premiums_in_force=in_force,
        today=japan_date(now),
    )
    return Progress(
        verified_activities=standing.verified_activities,
        required_activities=policy.required_activities,
        window_days=policy.window_days,
        missing=[problem.code for problem in premium_refusals(standing)],
    )
