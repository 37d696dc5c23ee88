"""A municipality's registrants as a file, for its own staff (and its prefecture's): CSV or
Excel, in the columns of the import layout, so that an exported list reads back in. Each
exported registration is written to the audit log before the file goes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from domain.audit import Who
from domain.clock import Clock, japan_date
from domain.imports import Cell, interest_label, relationship_label
from domain.registrations import tier_at
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship
from edge.authentication import actor_of
from edge.file_routes import needs_a_token, not_allowed, place_of
from municipal_lists.writing import to_csv, to_xlsx
from persistence import audit, views
from persistence.audit import Audit
from persistence.database import Database
from resolvers.directory import MunicipalityDirectory
from resolvers.inputs import global_id

HEADER = (
    "外部ID",
    "氏名",
    "生年",
    "住所地コード",
    "関係",
    "関心",
    "登録日",
    "区分",
    "プレミアム期限",
    "登録ID",
)
TIER_LABELS = {Tier.BASIC: "ベーシック", Tier.PREMIUM: "プレミアム"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Records per audit entry: a large list is written down in several.
AUDIT_CHUNK = 1_000


def rows_of(found: Sequence[views.ExportedRegistrant], now: datetime) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for item in found:
        registration, resident = item.registration, item.resident
        tier = tier_at(Tier(registration.tier), registration.premium_until, now)
        until = registration.premium_until if tier is Tier.PREMIUM else None
        rows.append(
            (
                item.external_id,
                resident.display_name,
                resident.birth_year,
                resident.home_municipality_code,
                relationship_label(Relationship(registration.relationship)),
                ";".join(interest_label(Interest(i)) for i in registration.interests),
                japan_date(registration.registered_at),
                TIER_LABELS[tier],
                japan_date(until) if until else None,
                global_id("Registration", registration.id),
            )
        )
    return rows


def registrants_export_routes(database: Database, clock: Clock) -> list[Route]:
    directory = MunicipalityDirectory(database)

    async def download(request: Request) -> Response:
        actor = actor_of(request)
        if actor is None:
            return needs_a_token()
        kind = request.path_params["format"]
        if kind not in MEDIA_TYPES:
            return PlainTextResponse("the file is .csv or .xlsx", 404)
        code = await place_of(directory, request.path_params["code"])
        if isinstance(code, Response):
            return code
        if not actor.administers(code):
            return not_allowed()
        now = clock.now()
        async with AsyncSession(database.read_engine) as session:
            found = await views.registrants_for_export(session, code)
        records = [f"registration:{item.registration.id}" for item in found]
        chunks = [records[i : i + AUDIT_CHUNK] for i in range(0, len(records), AUDIT_CHUNK)]
        who = Audit(Who.acting(actor), f"export registrants {code}.{kind}", clock)
        await audit.write_reads(database, who, [(code, chunk) for chunk in chunks])
        rows = rows_of(found, now)
        name = f"registrants-{code}-{japan_date(now).isoformat()}.{kind}"
        body = to_csv(HEADER, rows) if kind == "csv" else to_xlsx(code, HEADER, rows)
        return Response(
            body,
            media_type=MEDIA_TYPES[kind],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [Route("/exports/registrants/{code}.{format}", download)]
