"""The floor of bench/performance.py: the four measured operations written by hand, as fast as
this stack goes. Starlette and a psycopg pool; PostgreSQL builds each answer's JSON in one
statement and the bytes go out as they come, except what SQL cannot do: verifying and signing
tokens (the same code as the platform's). No GraphQL, no ORM, no loaders.

It answers POST /<operation name> with the variables as the JSON body and the caller's bearer
token, and knows the caller only from that token, as the platform does. What it reads and
writes is in the clients' formats, as the contract has them: global IDs, cursors, instants as
the DateTime scalar writes them (with the platform's SQL for them, persistence/operation_reads.py:
the fastest way found), so that a client could use its answers. It is a measuring
stick, not a second implementation: where it restates a rule of the scheme in SQL (premium
conditions, tiers in force), bench/performance.py checks its answers against the platform's.

    uvicorn --factory bench.performance_floor:app_from_environment --workers 2
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from credentials import certificate
from domain import overview
from domain.clock import japan_date
from domain.premium import DEFAULT_POLICY, MAX_PREMIUM_REGISTRATIONS
from domain.statistics import daily_figure
from domain.support import ShownCertificate, SupportMeasure, ineligibility
from domain.tiers import Tier
from edge.certificate_issuer import CertificateIssuer
from edge.settings import Settings
from edge.tokens import TokenVerifier, load_or_create_key
from persistence.operation_reads import global_id_sql, instant_sql, time_cursor_sql

# Each registration of the caller with its place, premium progress and newest certificate.
# The premium conditions are RULES.md's, in domain/premium.py's order. A certificate's token is
# the one the platform kept, while resolvers/certificates.token_for would show it again (its
# disclosure, base64url JSON, decoded to compare the holder's name); any other is signed
# afterwards in Python (`"@token:<serial>"` stands for each) and not kept.
MY_PROFILE_TEMPLATE = """
WITH me AS (SELECT * FROM resident WHERE subject = %(subject)s),
held AS (
  SELECT g.*, (g.status = 'ACTIVE' AND g.tier = 'PREMIUM' AND g.premium_until > now()) AS in_force
  FROM registration g JOIN me ON g.resident_id = me.id
),
kept AS (
  SELECT t.certificate_id, t.jwt || '~' AS token
  FROM held g JOIN certificate c ON c.registration_id = g.id
  JOIN certificate_token t ON t.certificate_id = c.id CROSS JOIN me
  WHERE t.signer = %(signer)s AND t.renew_after > now()
    AND (SELECT convert_from(decode(translate(d, '-_', '+/')
          || repeat('=', (4 - length(d) %% 4) %% 4), 'base64'), 'UTF8')::json ->> 2
        FROM json_array_elements_text(t.disclosures) d LIMIT 1)
      IS NOT DISTINCT FROM me.display_name
),
progress AS (
  SELECT g.id, pol.required, pol.window_days,
    (SELECT count(*) FROM activity a
      WHERE a.resident_id = g.resident_id AND a.municipality_code = g.municipality_code
        AND a.status = 'VERIFIED' AND a.kind = ANY (pol.kinds)
        AND a.occurred_on >= (now() AT TIME ZONE 'Asia/Tokyo')::date - pol.window_days + 1
    ) AS verified,
    (SELECT count(*) FROM held o WHERE o.in_force AND o.id <> g.id) AS other_premiums
  FROM held g
  LEFT JOIN premium_policy pp ON pp.municipality_code = g.municipality_code
  CROSS JOIN LATERAL (SELECT
    coalesce(pp.required_activities, %(required)s) AS required,
    coalesce(pp.window_days, %(window_days)s) AS window_days,
    CASE WHEN pp.municipality_code IS NULL THEN %(kinds)s::text[]
      ELSE ARRAY(SELECT json_array_elements_text(pp.eligible_activity_kinds)) END AS kinds) pol
),
refusals AS (
  SELECT p.id, array_remove(ARRAY[
    CASE WHEN NOT me.identity_verified THEN 'IDENTITY_NOT_VERIFIED' END,
    CASE WHEN p.verified < p.required THEN 'REQUIREMENTS_NOT_MET' END,
    CASE WHEN me.home_municipality_code IS NULL THEN 'HOME_MUNICIPALITY_UNKNOWN'
      WHEN g.municipality_code = me.home_municipality_code
        OR g.municipality_code = home.prefecture_code THEN 'HOME_MUNICIPALITY' END,
    CASE WHEN p.other_premiums >= %(max_premiums)s THEN 'PREMIUM_LIMIT_REACHED' END,
    CASE WHEN g.status <> 'ACTIVE' THEN 'REGISTRATION_NOT_ACTIVE' END
  ], NULL) AS missing
  FROM progress p JOIN held g ON g.id = p.id CROSS JOIN me
  LEFT JOIN municipality home ON home.code = me.home_municipality_code
)
SELECT json_build_object('data', json_build_object('me', json_build_object(
  'id', {resident_id}, 'displayName', me.display_name, 'identityVerified', me.identity_verified,
  'birthYear', me.birth_year,
  'homeMunicipality', (SELECT json_build_object('code', h.code, 'name', h.name,
      'prefecture', json_build_object('code', hp.code, 'name', hp.name))
    FROM municipality h JOIN municipality hp ON hp.code = h.prefecture_code
    WHERE h.code = me.home_municipality_code),
  'interests', me.interests,
  'registrations', coalesce((SELECT json_agg(json_build_object(
      'id', {registration_id},
      'tier', CASE WHEN g.tier = 'PREMIUM' AND g.premium_until > now() THEN 'PREMIUM'
        ELSE 'BASIC' END,
      'status', g.status, 'relationship', g.relationship, 'registeredAt', {registered_at},
      'premiumUntil', CASE WHEN g.tier = 'PREMIUM' AND g.premium_until > now()
        THEN {premium_until} END,
      'municipality', json_build_object('code', m.code, 'name', m.name, 'kind', m.kind,
        'prefecture', json_build_object('code', pm.code, 'name', pm.name)),
      'premiumProgress', json_build_object('verifiedActivities', p.verified,
        'requiredActivities', p.required, 'windowDays', p.window_days,
        'eligible', cardinality(r.missing) = 0, 'missing', r.missing),
      'certificate', (SELECT json_build_object('serialNumber', c.serial_number, 'tier', c.tier,
          'status', CASE WHEN c.status = 'VALID' AND c.valid_until <= now() THEN 'EXPIRED'
            ELSE c.status END,
          'issuedAt', {issued_at}, 'validUntil', {valid_until},
          'token', CASE WHEN c.status = 'VALID' AND (c.valid_until IS NULL OR c.valid_until > now())
            THEN coalesce((SELECT k.token FROM kept k WHERE k.certificate_id = c.id),
              '@token:' || c.serial_number) END)
        FROM certificate c WHERE c.registration_id = g.id
        ORDER BY c.status = 'VALID' DESC, c.issued_at DESC LIMIT 1)
    ) ORDER BY g.registered_at, g.id)
    FROM held g
    JOIN municipality m ON m.code = g.municipality_code
    JOIN municipality pm ON pm.code = m.prefecture_code
    JOIN progress p ON p.id = g.id JOIN refusals r ON r.id = g.id), '[]'::json)
)))::text,
(SELECT json_agg(json_build_object('serial', c.serial_number, 'tier', c.tier,
    'place', g.municipality_code, 'issued', extract(epoch FROM c.issued_at)::bigint,
    'until', extract(epoch FROM c.valid_until)::bigint, 'list', c.status_list_id,
    'index', c.status_index, 'name', me.display_name))
  FROM held g JOIN certificate c ON c.registration_id = g.id
  WHERE c.status = 'VALID' AND (c.valid_until IS NULL OR c.valid_until > now())
    AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.certificate_id = c.id))
FROM me
"""
MY_PROFILE = MY_PROFILE_TEMPLATE.format(
    resident_id=global_id_sql("Resident", "me.id"),
    registration_id=global_id_sql("Registration", "g.id"),
    registered_at=instant_sql("g.registered_at"),
    premium_until=instant_sql("g.premium_until"),
    issued_at=instant_sql("c.issued_at"),
    valid_until=instant_sql("c.valid_until"),
)

# A place's active registrants, newest first, with each one's person, and how many there are
# as the kept figures tell (as the platform reads it). A staff read of personal data is
# written to the audit log (RULES.md), as the platform writes it: one entry naming the records
# shown, committed with the statement before the answer leaves.
REGISTRANTS_TEMPLATE = """
WITH page AS (
  SELECT g.* FROM registration g
  WHERE g.municipality_code = %(code)s AND g.status = 'ACTIVE'
  ORDER BY g.registered_at DESC, g.id DESC LIMIT %(first)s + 1
), audited AS (
  INSERT INTO audit_entry (at, kind, subject, role, acting_for, operation, municipality_code,
    records)
  SELECT now(), 'READ', %(subject)s, 'staff', %(code)s, 'query Registrants', %(code)s,
    json_agg(record ORDER BY record COLLATE "C")
  FROM (SELECT 'registration:' || id AS record FROM page
    ORDER BY registered_at DESC, id DESC LIMIT %(first)s) shown
  HAVING count(*) > 0
)
SELECT convert_to(json_build_object('data', json_build_object('municipality', json_build_object(
  'registrations', json_build_object(
    'totalCount', (SELECT coalesce(sum(count), 0) FROM tally
      WHERE scope = %(code)s AND figure = 'registrations'),
    'edges', coalesce((SELECT json_agg(json_build_object('cursor', {cursor}, 'node',
        json_build_object('id', {registration_id},
          'tier', CASE WHEN n.tier = 'PREMIUM' AND n.premium_until > now() THEN 'PREMIUM'
            ELSE 'BASIC' END,
          'status', n.status, 'relationship', n.relationship, 'registeredAt', {registered_at},
          'premiumUntil', CASE WHEN n.tier = 'PREMIUM' AND n.premium_until > now()
            THEN {premium_until} END,
          'resident', json_build_object('id', {resident_id}, 'displayName', r.display_name,
            'birthYear', r.birth_year,
            'homeMunicipality', (SELECT json_build_object('code', h.code, 'name', h.name)
              FROM municipality h WHERE h.code = r.home_municipality_code))))
        ORDER BY n.registered_at DESC, n.id DESC)
      FROM (SELECT * FROM page ORDER BY registered_at DESC, id DESC LIMIT %(first)s) n
      JOIN resident r ON r.id = n.resident_id), '[]'::json),
    'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > %(first)s,
      'endCursor', (SELECT {end_cursor} FROM (SELECT * FROM page
          ORDER BY registered_at DESC, id DESC LIMIT %(first)s) e
        ORDER BY e.registered_at, e.id LIMIT 1)))
)))::text, 'UTF8')
"""
REGISTRANTS = REGISTRANTS_TEMPLATE.format(
    cursor=time_cursor_sql("n.registered_at", "n.id"),
    end_cursor=time_cursor_sql("e.registered_at", "e.id"),
    registration_id=global_id_sql("Registration", "n.id"),
    registered_at=instant_sql("n.registered_at"),
    premium_until=instant_sql("n.premium_until"),
    resident_id=global_id_sql("Resident", "r.id"),
)

# A place with its policy and its kept figures (summed over their shards); the figures are
# shaped into the dashboard's cells by domain/overview.py, as the platform does.
DASHBOARD = """
SELECT m.code, m.name, m.kind, p.code, p.name,
  pp.required_activities, pp.window_days, pp.eligible_activity_kinds,
  (SELECT json_object_agg(figure, n) FROM (
     SELECT figure, sum(count) AS n FROM tally WHERE scope = %(code)s
       AND (figure NOT LIKE 'registered_on:%%' OR figure >= %(since)s)
     GROUP BY figure HAVING sum(count) <> 0) f)
FROM municipality m JOIN municipality p ON p.code = m.prefecture_code
LEFT JOIN premium_policy pp ON pp.municipality_code = m.code
WHERE m.code = %(code)s
"""

# A shown certificate's record at its status list entry, the measure, and the name of the
# certificate's place.
SUPPORT = """
SELECT c.serial_number, c.status,
  s.municipality_code, s.partner_id, s.minimum_tier, s.valid_from, s.valid_until, m.name
FROM (SELECT 1) one
LEFT JOIN certificate c ON c.status_list_id = %(list)s AND c.status_index = %(index)s
LEFT JOIN registration g ON g.id = c.registration_id
LEFT JOIN municipality m ON m.code = g.municipality_code
LEFT JOIN support_measure s ON s.id = %(measure)s
"""


class Floor:
    def __init__(self, settings: Settings, pool: AsyncConnectionPool) -> None:
        key = load_or_create_key(settings.local_issuer_key)
        self.verifier = TokenVerifier(
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            local_key=key.public_key(),
        )
        self.issuer = CertificateIssuer.load(settings.certificate_keys, settings.public_url)
        self.pool = pool

    def claims(self, request: Request) -> dict[str, Any]:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        actor = self.verifier.verify(token)
        return {
            "subject": actor.subject,
            "role": actor.role.value,
            "place": actor.municipality_code,
            "partner": actor.partner_id,
        }

    async def my_profile(self, request: Request) -> Response:
        subject = self.claims(request)["subject"]
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                MY_PROFILE,
                {
                    "subject": subject,
                    "required": DEFAULT_POLICY.required_activities,
                    "window_days": DEFAULT_POLICY.window_days,
                    "kinds": [k.value for k in DEFAULT_POLICY.eligible_activity_kinds],
                    "max_premiums": MAX_PREMIUM_REGISTRATIONS,
                    "signer": self.issuer.signer,
                },
            )
            row = await cursor.fetchone()
        if row is None:
            return _json(b'{"data":{"me":null}}')
        document, to_sign = row
        now = int(datetime.now(UTC).timestamp())
        for held in to_sign or []:
            claims = certificate.CertificateClaims(
                serial_number=held["serial"],
                tier=held["tier"],
                municipality_code=held["place"],
                valid_from=held["issued"],
                valid_until=held["until"],
                status_list_uri=self.issuer.status_list_uri(held["list"]),
                status_index=held["index"],
                display_name=held["name"],
            )
            token = certificate.issue_token(
                claims, self.issuer.signing_key, self.issuer.issuer, now
            ).present()
            document = document.replace(
                f'"@token:{held["serial"]}"', orjson.dumps(token).decode(), 1
            )
        return _json(document.encode())

    async def registrants(self, request: Request) -> Response:
        claims = self.claims(request)
        variables = orjson.loads(await request.body())
        if claims["role"] != "staff" or claims["place"] != variables["code"]:
            return _json(b'{"errors":[{"message":"not allowed"}]}')
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                REGISTRANTS,
                {
                    "code": variables["code"],
                    "first": variables["first"],
                    "subject": claims["subject"],
                },
                binary=True,
            )
            row = await cursor.fetchone()
        assert row is not None
        return _json(bytes(row[0]))

    async def dashboard(self, request: Request) -> Response:
        claims = self.claims(request)
        code = orjson.loads(await request.body())["code"]
        if claims["role"] != "staff" or claims["place"] != code:
            return _json(b'{"errors":[{"message":"not allowed"}]}')
        now = datetime.now(UTC)
        since = overview.new_since(japan_date(now))
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                DASHBOARD, {"code": code, "since": daily_figure(since)}
            )
            row = await cursor.fetchone()
        assert row is not None
        place = overview.as_it_is(row[8] or {}, now)
        answer = {
            "code": row[0],
            "name": row[1],
            "kind": row[2],
            "prefecture": {"code": row[3], "name": row[4]},
            "premiumPolicy": {
                "requiredActivities": row[5] or DEFAULT_POLICY.required_activities,
                "windowDays": row[6] or DEFAULT_POLICY.window_days,
                "eligibleActivityKinds": row[7]
                or [k.value for k in DEFAULT_POLICY.eligible_activity_kinds],
            },
            "stats": {
                "registrants": place.registrants,
                "basic": place.basic,
                "premium": place.premium,
                "newLast30Days": place.new_last_30_days,
                "premiumConversionRate": place.premium_conversion_rate,
                "byRelationship": _counts(place.by_relationship),
                "byHomePrefecture": _counts(place.by_home_prefecture),
                "byAgeBand": _counts(place.by_age_band),
                "byInterest": _counts(place.by_interest),
                "monthly": [
                    {
                        "month": m.month,
                        "registrations": m.registrations,
                        "withdrawals": m.withdrawals,
                        "premiumGrants": m.premium_grants,
                        "verifiedActivities": m.verified_activities,
                    }
                    for m in place.monthly
                ],
            },
        }
        return _json(orjson.dumps({"data": {"municipality": answer}}))

    async def support_eligibility(self, request: Request) -> Response:
        claims = self.claims(request)
        variables = orjson.loads(await request.body())
        if claims["role"] != "partner":
            return _json(b'{"errors":[{"message":"not allowed"}]}')
        measure_id = _id_of("SupportMeasure", variables["measureId"])
        now = datetime.now(UTC)
        reading = certificate.read_token(
            variables["token"], self.issuer.published, self.issuer.issuer, int(now.timestamp())
        )
        if isinstance(reading, certificate.Verdict):
            list_id, index, serial = None, None, None
        else:
            list_id = self.issuer.status_list_id(reading.status_list_uri)
            index, serial = reading.status_index, reading.serial_number
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                SUPPORT,
                {"list": list_id, "index": index, "measure": measure_id},
            )
            row = await cursor.fetchone()
        if isinstance(reading, certificate.Verdict):
            verdict = reading
        elif row is None or row[0] is None or row[0] != serial:
            verdict = reading.verdict(None)
        else:
            verdict = reading.verdict(certificate.LIST_VALUE[row[1]])
        measure = (
            SupportMeasure(
                id=measure_id,
                municipality_code=row[2],
                partner_id=row[3],
                title="",
                description="",
                minimum_tier=Tier(row[4]),
                valid_from=row[5],
                valid_until=row[6],
                created_at=now,
                created_by="",
            )
            if row is not None and row[2] is not None
            else None
        )
        shown = ShownCertificate(
            valid=verdict.valid,
            status=verdict.status.value,
            tier=Tier(verdict.tier) if verdict.tier in {t.value for t in Tier} else None,
            municipality_code=verdict.municipality_code,
        )
        reason = ineligibility(measure, claims["partner"], shown, japan_date(now))
        place = verdict.municipality_code
        answer = {
            "eligible": reason is None,
            "reason": reason,
            "tier": shown.tier.value if shown.tier else None,
            "validUntil": None
            if verdict.valid_until is None
            else datetime.fromtimestamp(verdict.valid_until, UTC).isoformat(),
            "municipality": {"code": place, "name": row[7] if row else None} if place else None,
        }
        return _json(orjson.dumps({"data": {"supportEligibility": answer}}))


def _id_of(type_name: str, global_id: str) -> uuid.UUID:
    """The uuid of a global ID of the type (base64url of "<type>:<uuid>")."""
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    kind, _, value = text.partition(":")
    if kind != type_name:
        raise ValueError(f"not a {type_name} ID")
    return uuid.UUID(value)


def _counts(cells: dict[str, int | None]) -> list[dict[str, object]]:
    return [{"key": key, "count": count} for key, count in cells.items()]


async def _configure(connection: AsyncConnection[Any]) -> None:
    """JSON columns read by orjson, as the platform's compiled statements read them."""
    set_json_loads(orjson.loads, connection)


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def app_from_environment() -> Starlette:
    settings = Settings()
    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    pool = AsyncConnectionPool(
        url,
        min_size=settings.database_pool_size // 2,
        max_size=settings.database_pool_size,
        open=False,
        configure=_configure,
    )
    floor = Floor(settings, pool)

    async def lifespan(_app: Starlette) -> Any:
        await pool.open()
        yield
        await pool.close()

    return Starlette(
        routes=[
            Route("/MyProfile", floor.my_profile, methods=["POST"]),
            Route("/Registrants", floor.registrants, methods=["POST"]),
            Route("/MunicipalityDashboard", floor.dashboard, methods=["POST"]),
            Route("/SupportEligibility", floor.support_eligibility, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
