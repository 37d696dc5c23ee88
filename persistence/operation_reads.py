"""The reads of the compiled operations (resolvers/compiled.py): everything one of the
clients' hottest operations shows, in one PostgreSQL statement sent straight through psycopg
(persistence/statements.py).

The statements fetch what views.py's batched reads fetch for the same fields, with the same
ordering, as plain values; the rules (premium conditions, certificate status, figures) are
applied to them afterwards by the same domain functions. Registrants' statement returns the
whole answer, shaped as the schema writes it, with the tier in force as views.py filters by it.
Instants travel inside the JSON as UTC text without an offset, so that no session time zone
can change them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from domain import municipality_code
from domain.premium import PremiumPolicy
from domain.statistics import REGISTRATIONS, Flow, daily_figure
from domain.support import SupportMeasure
from domain.tiers import Tier
from persistence import audit
from persistence.audit import Audit
from persistence.certificate_tokens import KeptToken
from persistence.database import Database
from persistence.mapping import premium_policy_of
from persistence.views import Cursor


@dataclass(frozen=True)
class ShownCertificate:
    """The certificate a registration shows (views.current_certificates), with the token kept
    for it (views.certificate_tokens)."""

    id: uuid.UUID
    serial_number: str
    tier: str
    status: str
    issued_at: datetime
    valid_until: datetime | None
    status_list_id: int
    status_index: int
    kept: KeptToken | None


@dataclass(frozen=True)
class HeldRegistration:
    id: uuid.UUID
    tier: str
    status: str
    relationship: str
    registered_at: datetime
    premium_until: datetime | None
    municipality_code: str
    policy: PremiumPolicy
    # Verified activities at the place since the day asked for: (kind, day).
    verified: list[tuple[str, date]]
    certificate: ShownCertificate | None


@dataclass(frozen=True)
class Profile:
    id: uuid.UUID
    display_name: str | None
    identity_verified: bool
    birth_year: int | None
    home_municipality_code: str | None
    interests: list[str]
    registrations: list[HeldRegistration]


# A resident by subject with every registration (oldest first), each with its place's policy,
# its verified activities there and the certificate it shows.
PROFILE = """
SELECT r.id, r.display_name, r.identity_verified, r.birth_year, r.home_municipality_code,
  r.interests,
  coalesce((SELECT json_agg(json_build_object(
      'id', g.id, 'tier', g.tier, 'status', g.status, 'relationship', g.relationship,
      'registered_at', g.registered_at AT TIME ZONE 'UTC',
      'premium_until', g.premium_until AT TIME ZONE 'UTC',
      'municipality_code', g.municipality_code,
      'policy', (SELECT json_build_array(p.required_activities, p.window_days,
          p.eligible_activity_kinds)
        FROM premium_policy p WHERE p.municipality_code = g.municipality_code),
      'verified', (SELECT json_agg(json_build_array(a.kind, a.occurred_on))
        FROM activity a
        WHERE a.resident_id = g.resident_id AND a.municipality_code = g.municipality_code
          AND a.status = 'VERIFIED' AND a.occurred_on >= %(since)s),
      'certificate', (SELECT json_build_object('id', c.id, 'serial_number', c.serial_number,
          'tier', c.tier, 'status', c.status, 'issued_at', c.issued_at AT TIME ZONE 'UTC',
          'valid_until', c.valid_until AT TIME ZONE 'UTC',
          'status_list_id', c.status_list_id, 'status_index', c.status_index,
          'kept', (SELECT json_build_array(t.signer, t.renew_after AT TIME ZONE 'UTC', t.jwt,
              t.disclosures)
            FROM certificate_token t WHERE t.certificate_id = c.id))
        FROM certificate c WHERE c.registration_id = g.id
        ORDER BY c.status = 'VALID' DESC, c.issued_at DESC, c.id DESC LIMIT 1)
    ) ORDER BY g.registered_at, g.id)
    FROM registration g WHERE g.resident_id = r.id), '[]'::json)
FROM resident r WHERE r.subject = %(subject)s
"""


async def _row(
    database: Database, statement: str, parameters: dict[str, Any], *, binary: bool = False
) -> tuple[Any, ...] | None:
    if database.statements is None:
        raise RuntimeError("the compiled operations' statements are PostgreSQL's")
    return await database.statements.fetch_one(statement, parameters, binary=binary)


async def _one(
    database: Database, statement: str, parameters: dict[str, Any], *, binary: bool = False
) -> tuple[Any, ...]:
    """The row of a statement that always returns one."""
    row = await _row(database, statement, parameters, binary=binary)
    if row is None:
        raise LookupError("the statement returned no row")
    return row


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else _at(text)


def _certificate(stored: dict[str, Any] | None) -> ShownCertificate | None:
    if stored is None:
        return None
    certificate_id = uuid.UUID(stored["id"])
    kept = stored["kept"]
    return ShownCertificate(
        id=certificate_id,
        serial_number=stored["serial_number"],
        tier=stored["tier"],
        status=stored["status"],
        issued_at=_at(stored["issued_at"]),
        valid_until=_instant(stored["valid_until"]),
        status_list_id=stored["status_list_id"],
        status_index=stored["status_index"],
        kept=None
        if kept is None
        else KeptToken(certificate_id, kept[0], _at(kept[1]), kept[2], tuple(kept[3])),
    )


def _held(stored: dict[str, Any]) -> HeldRegistration:
    return HeldRegistration(
        id=uuid.UUID(stored["id"]),
        tier=stored["tier"],
        status=stored["status"],
        relationship=stored["relationship"],
        registered_at=_at(stored["registered_at"]),
        premium_until=_instant(stored["premium_until"]),
        municipality_code=stored["municipality_code"],
        policy=premium_policy_of(stored["policy"]),
        verified=[(kind, date.fromisoformat(day)) for kind, day in stored["verified"] or []],
        certificate=_certificate(stored["certificate"]),
    )


async def profile(database: Database, subject: str, since: date) -> Profile | None:
    """The resident with this subject, or None; verified activities from `since` on."""
    row = await _row(database, PROFILE, {"subject": subject, "since": since})
    if row is None:
        return None
    resident_id, name, verified, birth_year, home, interests, held = row
    return Profile(
        id=resident_id,
        display_name=name,
        identity_verified=verified,
        birth_year=birth_year,
        home_municipality_code=home,
        interests=list(interests),
        registrations=[_held(g) for g in held],
    )


def instant_sql(column: str) -> str:
    """The DateTime scalar's text of an instant (datetime.isoformat in UTC: microseconds only
    when there are any)."""
    # One to_char, the costliest part: a fraction of all zeros is the only `.000000` in it.
    written = f"to_char(({column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    return f"replace({written}, '.000000', '') || '+00:00'"


def global_id_sql(type_name: str, column: str) -> str:
    """inputs.global_id of a uuid column: "<type>:<id>" in base64url, without padding.

    base64 turns three bytes into four characters of six bits; in ASCII text only a byte whose
    low six bits are all or all but the last set ('>', '?', '~', DEL) can give '+' or '/'
    (62, 63): letters, digits, ':' and '-' never do. So the standard alphabet is already the
    URL-safe one here; and PostgreSQL breaks its base64 into lines from 57 bytes on, which an
    id of a short type name never reaches. Only the padding is taken off (replace() measured at half
    the cost of rtrim())."""
    length = len(type_name) + 1 + 36
    if not (type_name.isascii() and type_name.isalpha() and length <= 56):
        raise ValueError(f"{type_name!r} is not a type name written this way")
    encoded = f"encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64')"
    return encoded if length % 3 == 0 else f"replace({encoded}, '=', '')"


def time_cursor_sql(at: str, column: str) -> str:
    """inputs.time_cursor_of: the instant's microseconds from 2000-01-01 (PostgreSQL's own
    count, timestamptz_send) and the uuid's bytes, in hex."""
    return f"encode(timestamptz_send({at}) || uuid_send({column}), 'hex')"


# The tier in force now, as views.registrations_of_places filters by it and
# domain.registrations.tier_at tells it.
PREMIUM_NOW = "g.tier = 'PREMIUM' AND g.premium_until > %(now)s"
TIER_CONDITIONS = {
    None: "",
    Tier.PREMIUM: f"AND ({PREMIUM_NOW})",
    Tier.BASIC: f"AND NOT ({PREMIUM_NOW})",
}
AFTER = "AND (g.registered_at, g.id) < (%(after_at)s, %(after_id)s)"

# A place's active registrations, newest first, past the cursor: the page and one more (to
# know whether another follows), each with its resident, and how many the list holds in all,
# as the `data` of Registrants. `{scope}` is the column a place lists by: its own code, or a
# prefecture's. `{audit}` writes the read of the page's records to the audit log in the same
# statement, so that the entry is committed before the rows are seen, in one round trip.
REGISTRANTS_TEMPLATE = """
WITH page AS (
  SELECT g.*, CASE WHEN {premium_now} THEN 'PREMIUM' ELSE 'BASIC' END AS tier_now
  FROM registration g
  WHERE g.{scope} = %(code)s AND g.status = 'ACTIVE' {tier} {after}
  ORDER BY g.registered_at DESC, g.id DESC LIMIT %(first)s + 1
), shown AS (
  SELECT page.*, {cursor} AS cursor FROM page
  ORDER BY page.registered_at DESC, page.id DESC LIMIT %(first)s
){audit}
SELECT convert_to(json_build_object('municipality', json_build_object('registrations',
  json_build_object(
  'totalCount', {total},
  'edges', coalesce((SELECT json_agg(json_build_object('cursor', e.cursor, 'node',
      json_build_object(
        'id', {registration_id},
        'tier', e.tier_now, 'status', e.status, 'relationship', e.relationship,
        'registeredAt', {registered_at},
        'premiumUntil', CASE WHEN e.tier_now = 'PREMIUM' THEN {premium_until} END,
        'resident', json_build_object(
          'id', {resident_id},
          'displayName', r.display_name, 'birthYear', r.birth_year,
          'homeMunicipality', (SELECT json_build_object('code', h.code, 'name', h.name)
            FROM municipality h WHERE h.code = r.home_municipality_code))))
      ORDER BY e.registered_at DESC, e.id DESC)
    FROM shown e JOIN resident r ON r.id = e.resident_id), '[]'::json),
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) FROM page) > %(first)s,
    'endCursor', (SELECT e.cursor FROM shown e ORDER BY e.registered_at, e.id LIMIT 1))
)))::text, 'UTF8')
"""
# The fixed parts written in once; what each request chooses stays to fill in.
REGISTRANTS = REGISTRANTS_TEMPLATE.format(
    premium_now=PREMIUM_NOW,
    cursor=time_cursor_sql("page.registered_at", "page.id"),
    registration_id=global_id_sql("Registration", "e.id"),
    registered_at=instant_sql("e.registered_at"),
    premium_until=instant_sql("e.premium_until"),
    resident_id=global_id_sql("Resident", "r.id"),
    scope="{scope}",
    tier="{tier}",
    total="{total}",
    after="{after}",
    audit="{audit}",
)
# A list's total: as the figures keep it (views._kept_totals), or counted for a tier in force.
KEPT_TOTAL = """(SELECT coalesce(sum(t.count), 0) FROM tally t
    WHERE t.scope = %(code)s AND t.figure = %(kept)s)"""
COUNTED_TOTAL = """(SELECT count(*) FROM registration g
    WHERE g.{scope} = %(code)s AND g.status = 'ACTIVE' {tier})"""
# The entry names the records shown (the page, not the one more), sorted as audit.py sorts.
AUDITED = """, audited AS (
  INSERT INTO audit_entry (at, kind, subject, role, acting_for, operation, municipality_code,
    records)
  SELECT %(at)s, %(kind)s, %(subject)s, %(role)s, %(acting_for)s, %(operation)s,
    %(municipality_code)s, json_agg(record ORDER BY record COLLATE "C")
  FROM (SELECT 'registration:' || id AS record FROM shown) named HAVING count(*) > 0
)"""


@cache
def _registrants_statement(prefecture: bool, tier: Tier | None, after: bool, audited: bool) -> str:
    """One of the few statements REGISTRANTS makes, written once."""
    scope = "prefecture_code" if prefecture else "municipality_code"
    return REGISTRANTS.format(
        scope=scope,
        tier=TIER_CONDITIONS[tier],
        total=KEPT_TOTAL
        if tier is None
        else COUNTED_TOTAL.format(scope=scope, tier=TIER_CONDITIONS[tier]),
        after=AFTER if after else "",
        audit=AUDITED if audited else "",
    )


async def registrants(
    database: Database,
    code: str,
    tier: Tier | None,
    now: datetime,
    first: int,
    after: Cursor | None,
    audited: Audit | None,
) -> bytes:
    """The `data` of Registrants for a place (a prefecture's list includes its
    municipalities'), as UTF-8 JSON, sent on as it comes (never decoded); with `audited`, the
    read is in the audit log when this returns."""
    statement = _registrants_statement(
        municipality_code.is_prefecture(code), tier, after is not None, audited is not None
    )
    parameters: dict[str, Any] = {"code": code, "now": now, "first": first, "kept": REGISTRATIONS}
    if after is not None:
        parameters["after_at"], parameters["after_id"] = after
    if audited is not None:
        parameters.update(audit.read_entry(audited, code))
    (data,) = await _one(database, statement, parameters, binary=True)
    return bytes(data)


# The certificate at a status list entry (serial number and status), and a support measure.
ELIGIBILITY = """
SELECT (SELECT json_build_array(c.serial_number, c.status) FROM certificate c
    WHERE c.status_list_id = %(list_id)s AND c.status_index = %(index)s),
  (SELECT json_build_array(s.municipality_code, s.partner_id, s.title, s.description,
      s.minimum_tier, s.valid_from, s.valid_until, s.created_at AT TIME ZONE 'UTC',
      s.created_by)
    FROM support_measure s WHERE s.id = %(measure_id)s)
"""


async def eligibility(
    database: Database, entry: tuple[int, int] | None, measure_id: uuid.UUID
) -> tuple[tuple[str, str] | None, SupportMeasure | None]:
    """The certificate at a status list entry, if any is asked for, and the measure."""
    list_id, index = entry or (None, None)
    stored, measure = await _one(
        database, ELIGIBILITY, {"list_id": list_id, "index": index, "measure_id": measure_id}
    )
    found = (stored[0], stored[1]) if stored else None
    if measure is None:
        return found, None
    code, partner, title, description, tier, valid_from, valid_until, created, by = measure
    return found, SupportMeasure(
        id=measure_id,
        municipality_code=code,
        partner_id=partner,
        title=title,
        description=description,
        minimum_tier=Tier(tier),
        valid_from=date.fromisoformat(valid_from),
        valid_until=date.fromisoformat(valid_until),
        created_at=_at(created),
        created_by=by,
    )


# A place's premium policy and its kept figures, each summed over its parts; daily counts only
# from `since` on (as views.figures reads them).
PLACE_FIGURES = """
SELECT (SELECT json_build_array(p.required_activities, p.window_days, p.eligible_activity_kinds)
    FROM premium_policy p WHERE p.municipality_code = %(code)s),
  coalesce((SELECT json_object_agg(f.figure, f.n) FROM (
      SELECT t.figure, sum(t.count) AS n FROM tally t
      WHERE t.scope = %(code)s AND (t.figure NOT LIKE %(daily)s OR t.figure >= %(since)s)
      GROUP BY t.figure) f
    WHERE f.n <> 0), '{}'::json)
"""


async def place_figures(
    database: Database, code: str, since: date
) -> tuple[PremiumPolicy, dict[str, int]]:
    """A place's premium policy, and its figures as they are now."""
    parameters = {
        "code": code,
        "daily": f"{Flow.REGISTERED_ON}:%",
        "since": daily_figure(since),
    }
    policy, figures = await _one(database, PLACE_FIGURES, parameters)
    return premium_policy_of(policy), {figure: int(count) for figure, count in figures.items()}
