"""The clients' hottest operations, compiled: each answers one persisted document with one
statement (persistence/operation_reads.py), without executing the GraphQL document field by
field. The domain's rules run in Python on the rows where they decide something (premium
progress, certificate status and tokens, figures and their suppression, eligibility);
Registrants, a list of rows with their tier in force, is shaped whole by its statement, as the
read views filter by that tier (reads may bypass the domain; writes never do).

A plan answers only the common case, and answers it exactly as ordinary execution would: the
same data, the same permissions (the same Actor rules the permission classes ask), the same
audit entries. Anything else - a caller the field's permission refuses, variables the schema
would refuse, a resident seen for the first time (their first call creates them), a place
missing from the master data - raises NotCompiled, and ordinary execution answers it, errors
and all. tests/integration/test_compiled_operations.py runs every plan both ways and compares.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from graphql import GraphQLError

from credentials.certificate import Verdict
from domain import overview
from domain.audit import reads_are_audited
from domain.certificates import CertificateStatus, certificate_status_at
from domain.clock import japan_date
from domain.premium import WINDOW_DAYS_RANGE
from domain.registrations import tier_at
from domain.residents import claims_add_to
from domain.roles import Role
from domain.tiers import Tier
from domain.vocabulary import Interest
from persistence import certificate_tokens, operation_reads, tables
from persistence.certificate_tokens import KeptToken
from resolvers import certificates, inputs, support
from resolvers.context import Context
from resolvers.progress import premium_progress, premiums_in_force

Data = dict[str, Any]
Places = Mapping[str, tables.Municipality]
INT_RANGE = range(-(2**31), 2**31)


class NotCompiled(Exception):
    """This request is for ordinary execution."""


# (context, variables) -> the operation's `data`, or its UTF-8 JSON; or NotCompiled.
Plan = Callable[[Context, Mapping[str, object]], Awaitable[Data | bytes]]


def _variables(sent: Mapping[str, object], names: set[str]) -> None:
    """Variables the operation does not declare are for ordinary execution to weigh."""
    if not set(sent) <= names:
        raise NotCompiled


def _string(sent: Mapping[str, object], name: str) -> str:
    value = sent.get(name)
    if isinstance(value, str):
        return value
    raise NotCompiled


def _optional_string(sent: Mapping[str, object], name: str) -> str | None:
    value = sent.get(name)
    return None if value is None else _string(sent, name)


def _int(sent: Mapping[str, object], name: str) -> int | None:
    value = sent.get(name)
    if value is None or (type(value) is int and value in INT_RANGE):
        return value
    raise NotCompiled


def _tier(sent: Mapping[str, object], name: str) -> Tier | None:
    value = sent.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value in Tier.__members__:
        return Tier[value]
    raise NotCompiled


def _place(places: Places, code: str | None) -> tables.Municipality:
    """A place the data refers to; one missing from the master data is ordinary execution's
    error to report."""
    found = places.get(code) if code is not None else None
    if found is None:
        raise NotCompiled
    return found


def _instant(value: datetime | None) -> str | None:
    """As the schema's DateTime scalar writes it."""
    return None if value is None else value.isoformat()


def _registration_head(
    registration_id: uuid.UUID, tier: str, premium_until: datetime | None, now: datetime
) -> tuple[str, str, str | None]:
    """id, the tier in force now, and premiumUntil while premium is in force."""
    tier_now = tier_at(Tier(tier), premium_until, now)
    until = _instant(premium_until) if tier_now is Tier.PREMIUM else None
    return inputs.global_id("Registration", registration_id), tier_now.value, until


def _certificate(
    context: Context,
    shown: operation_reads.ShownCertificate | None,
    municipality_code: str,
    display_name: str | None,
    now: datetime,
    made: list[KeptToken],
) -> Data | None:
    """MyProfile asks for the token, not the disclosures; a token made now goes in `made`."""
    if shown is None:
        return None
    status = certificate_status_at(CertificateStatus(shown.status), shown.valid_until, now)
    token = None
    if status is CertificateStatus.VALID:
        issued, new = certificates.token_for(
            context, shown, shown.kept, municipality_code, display_name
        )
        token = issued.present()
        if new is not None:
            made.append(new)
    return {
        "serialNumber": shown.serial_number,
        "tier": Tier(shown.tier).value,
        "status": status.value,
        "issuedAt": _instant(shown.issued_at),
        "validUntil": _instant(shown.valid_until),
        "token": token,
    }


async def my_profile(context: Context, sent: Mapping[str, object]) -> Data:
    """`me` is for residents (IsResident); what it shows of them is their own (IsTheResident,
    HoldsThisRecord and HoldsOrAdministersThisRecord hold by construction: the statement reads
    the caller's own records only)."""
    _variables(sent, set())
    actor = context.actor
    if actor is None or actor.role is not Role.RESIDENT:
        raise NotCompiled
    now = context.clock.now()
    since = japan_date(now) - timedelta(days=WINDOW_DAYS_RANGE.stop)
    me = await operation_reads.profile(context.database, actor.subject, since)
    if me is None or claims_add_to(me.identity_verified, actor):
        raise NotCompiled
    places = await context.directory.places()
    home = None
    if me.home_municipality_code is not None:
        place = _place(places, me.home_municipality_code)
        prefecture = _place(places, place.prefecture_code)
        home = {
            "code": place.code,
            "name": place.name,
            "prefecture": {"code": prefecture.code, "name": prefecture.name},
        }
    in_force = premiums_in_force(
        [(g.id, g.status, g.tier, g.premium_until) for g in me.registrations], now
    )
    registrations = []
    made: list[KeptToken] = []
    for g in me.registrations:
        registration_id, tier, until = _registration_head(g.id, g.tier, g.premium_until, now)
        place = _place(places, g.municipality_code)
        prefecture = _place(places, place.prefecture_code)
        progress = premium_progress(
            registration_id=g.id,
            status=g.status,
            municipality_code=g.municipality_code,
            identity_verified=me.identity_verified,
            home_municipality_code=me.home_municipality_code,
            verified=g.verified,
            policy=g.policy,
            in_force=in_force,
            now=now,
        )
        registrations.append(
            {
                "id": registration_id,
                "tier": tier,
                "status": g.status,
                "relationship": g.relationship,
                "registeredAt": _instant(g.registered_at),
                "premiumUntil": until,
                "municipality": {
                    "code": place.code,
                    "name": place.name,
                    "kind": place.kind,
                    "prefecture": {"code": prefecture.code, "name": prefecture.name},
                },
                "premiumProgress": {
                    "verifiedActivities": progress.verified_activities,
                    "requiredActivities": progress.required_activities,
                    "windowDays": progress.window_days,
                    "eligible": not progress.missing,
                    "missing": progress.missing,
                },
                "certificate": _certificate(
                    context, g.certificate, g.municipality_code, me.display_name, now, made
                ),
            }
        )
    # Kept before the answer leaves, as ordinary execution keeps them.
    await certificate_tokens.keep(context.database, made)
    return {
        "me": {
            "id": inputs.global_id("Resident", me.id),
            "displayName": me.display_name,
            "identityVerified": me.identity_verified,
            "birthYear": me.birth_year,
            "homeMunicipality": home,
            "interests": [Interest(i).value for i in me.interests],
            "registrations": registrations,
        }
    }


async def registrants(context: Context, sent: Mapping[str, object]) -> bytes:
    """`municipality(code).registrations` is for staff of the place or its prefecture
    (AdministersThisPlace), and each registrant's person for the same staff
    (HoldsOrAdministersThisRecord: the list holds that place's records only). Their reads are
    audited (AuditedRead) by the statement itself, before the data goes out."""
    _variables(sent, {"code", "tier", "first", "after"})
    code = _string(sent, "code")
    tier, first, after = _tier(sent, "tier"), _int(sent, "first"), _optional_string(sent, "after")
    actor = context.actor
    places = await context.directory.places()
    try:
        size, cursor = inputs.page_size(first), inputs.time_cursor(after)
    except GraphQLError:
        raise NotCompiled from None
    if code not in places or actor is None or not actor.administers(code):
        raise NotCompiled
    audited = context.audit() if reads_are_audited(actor) else None
    return await operation_reads.registrants(
        context.database, code, tier, context.clock.now(), size, cursor, audited
    )


async def support_eligibility(context: Context, sent: Mapping[str, object]) -> Data:
    """For partners (IsPartner), within their rate (PartnerRateLimit). The limit is taken last,
    when nothing can hand the request back any more: ordinary execution takes it for every
    request it answers."""
    _variables(sent, {"token", "measureId"})
    token, measure = _string(sent, "token"), _string(sent, "measureId")
    actor = context.actor
    if actor is None or actor.role is not Role.PARTNER:
        raise NotCompiled
    try:
        measure_id = inputs.id_of("SupportMeasure", measure, "measureId")
    except GraphQLError:
        raise NotCompiled from None
    places = await context.directory.places()
    reading = certificates.read(context, token)
    entry = None if isinstance(reading, Verdict) else certificates.status_entry(context, reading)
    stored, measure_found = await operation_reads.eligibility(context.database, entry, measure_id)
    if isinstance(reading, Verdict):
        verdict = reading
    elif entry is None:
        verdict = reading.verdict(None)
    else:
        verdict = certificates.verdict_at(reading, stored)
    found = support.decide(context, verdict, measure_found)
    code = verdict.municipality_code
    place = _place(places, code) if code else None
    if not context.partner_limits.allow(actor.partner_id or actor.subject):
        # Refused: ordinary execution refuses it again, and a refusal takes nothing.
        raise NotCompiled
    return {
        "supportEligibility": {
            "eligible": found.reason is None,
            "reason": found.reason,
            "tier": tier.value if (tier := certificates.shown_tier(verdict)) else None,
            "validUntil": _instant(certificates.shown_valid_until(verdict)),
            "municipality": {"code": place.code, "name": place.name} if place else None,
        }
    }


def _counts(cells: overview.Cells) -> list[Data]:
    return [{"key": key, "count": count} for key, count in cells.items()]


async def municipality_dashboard(context: Context, sent: Mapping[str, object]) -> Data:
    """For a place's own staff, who see its figures as they are now (SeesFiguresOfThisPlace,
    and the small counts of statistics.place). Prefecture staff and analysts see the last
    publication: ordinary execution answers them."""
    _variables(sent, {"code"})
    code = _string(sent, "code")
    actor = context.actor
    places = await context.directory.places()
    if code not in places or actor is None or not actor.sees_small_counts_of(code):
        raise NotCompiled
    now = context.clock.now()
    policy, figures = await operation_reads.place_figures(
        context.database, code, overview.new_since(japan_date(now))
    )
    place = places[code]
    prefecture = _place(places, place.prefecture_code)
    stats = overview.as_it_is(figures, now)
    return {
        "municipality": {
            "code": place.code,
            "name": place.name,
            "kind": place.kind,
            "prefecture": {"code": prefecture.code, "name": prefecture.name},
            "premiumPolicy": {
                "requiredActivities": policy.required_activities,
                "windowDays": policy.window_days,
                "eligibleActivityKinds": [kind.value for kind in policy.eligible_activity_kinds],
            },
            "stats": {
                "registrants": stats.registrants,
                "basic": stats.basic,
                "premium": stats.premium,
                "newLast30Days": stats.new_last_30_days,
                "premiumConversionRate": stats.premium_conversion_rate,
                "byRelationship": _counts(stats.by_relationship),
                "byHomePrefecture": _counts(stats.by_home_prefecture),
                "byAgeBand": _counts(stats.by_age_band),
                "byInterest": _counts(stats.by_interest),
                "monthly": [
                    {
                        "month": month.month,
                        "registrations": month.registrations,
                        "withdrawals": month.withdrawals,
                        "premiumGrants": month.premium_grants,
                        "verifiedActivities": month.verified_activities,
                    }
                    for month in stats.monthly
                ],
            },
        }
    }


# The compiled operations, by the name the clients' document gives each.
PLANS: dict[str, Plan] = {
    "MyProfile": my_profile,
    "Registrants": registrants,
    "SupportEligibility": support_eligibility,
    "MunicipalityDashboard": municipality_dashboard,
}
