"""The ASGI application and the `furusato` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import logging
import multiprocessing
import os
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from credentials.offline import OfflineVerifier, load_json
from domain import municipality_code
from domain.clock import Clock, SystemClock, japan_date, start_of_japan_day
from domain.errors import InvalidInput, Refusal
from domain.imports import ImportJob, ImportKind, Rejection, RowOutcome
from domain.roles import Role
from edge import certificate_issuer
from edge.authentication import BearerTokenBackend, actor_of, unauthenticated
from edge.body_limit import BodyLimit
from edge.certificate_issuer import CertificateIssuer, NoCertificateKey
from edge.compiled_operations import CompiledOperations
from edge.figures_export import NATION_SCOPE, csv_of, export_routes
from edge.health import health_routes
from edge.issuer_routes import issuer_routes
from edge.metrics import (
    MULTIPROCESS_DIR,
    count_connections,
    metrics_routes,
    observe_operation,
    sample,
)
from edge.persisted_documents import persisted
from edge.rate_limit import RateLimiter
from edge.registrants_export import registrants_export_routes
from edge.request_log import RequestLog, graphql_outcome, log_as_json
from edge.settings import Settings
from edge.stalls import time_collections, watch_event_loop
from edge.tokens import InvalidToken, LocalIssuer, TokenVerifier, load_or_create_key
from edge.web_routes import web_routes
from municipal_lists.reading import UnreadableFile, read_list
from municipal_lists.report import RowReportWriter, with_progress
from persistence import master_data, migrate, synthetic, views
from persistence.audit import Audit
from persistence.database import Database, connect
from persistence.unit_of_work import SqlUnitOfWork
from resolvers.context import Context
from resolvers.directory import MunicipalityDirectory
from resolvers.errors import BAD_USER_INPUT
from resolvers.event_hub import EventHub
from schema.root import production_schema, schema
from services import demo, places
from services.figures import publish_figures
from services.imports import ListFile, import_list
from services.registrations import lapse_due_premiums

log = logging.getLogger("furusato")

TOKEN_TTL_SECONDS = 7 * 24 * 3600
CONNECTION_INIT_SECONDS = 5
KEEP_ALIVE_SECONDS = 15


class PlatformGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        database: Database,
        clock: Clock,
        issuer: CertificateIssuer,
        verifier: TokenVerifier,
        settings: Settings,
    ) -> None:
        production = settings.env == "production"
        super().__init__(
            production_schema() if production else schema,
            graphql_ide=None if production else "graphiql",
            # A socket that never says who it is is closed soon (4408); idle ones are kept alive.
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            keep_alive=True,
            keep_alive_interval=KEEP_ALIVE_SECONDS,
            # List files (the GraphQL multipart request spec). A page on another site cannot
            # forge one: the platform trusts bearer tokens only, never cookies.
            multipart_uploads_enabled=True,
        )
        self._database = database
        self._directory = MunicipalityDirectory(database)
        self._clock = clock
        self._issuer = issuer
        self._partner_limits = RateLimiter(settings.partner_requests_per_minute)
        self._mutation_limits = RateLimiter(settings.mutations_per_minute)
        self._verifier = verifier
        self.events = EventHub(database)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry serves HTTP, and then the files of a multipart request are closed
        (strawberry leaves them open), whether or not the operation read them."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = PlainTextResponse(error.reason, status_code=error.status_code)
        finally:
            await request.close()
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        """A request's body: a JSON object. Anything else (bytes that are no Unicode, a bare
        string or number) is the client's mistake, not an internal error."""
        try:
            parsed = super().parse_json(data)
        except UnicodeDecodeError:
            raise HTTPException(400, "the request body is not JSON in UTF-8") from None
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "the request body is a JSON object")
        return parsed

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """A request may name one of the clients' persisted documents by `documentId`."""
        data = await super().parse_http_body(request)
        if isinstance(data, list) or (request.content_type or "").startswith("multipart/form-data"):
            return data
        if request.method == "GET":
            sent: object = request.query_params.get("documentId")
        elif b'"documentId"' in (raw := await request.get_body()):
            # Parsed again only when it names a document: most requests send their text.
            body = self.parse_json(raw)
            sent = body.get("documentId") if isinstance(body, dict) else None
        else:
            sent = None
        if sent is None:
            return data
        if not isinstance(sent, str) or data.query is not None:
            raise HTTPException(400, "send a query's text or its documentId (a string), not both")
        text = persisted().get(sent)
        if text is None:
            raise HTTPException(400, f"no persisted document has the documentId {sent!r}")
        return dataclasses.replace(data, query=text)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Every error leaves with a code: a document that does not even parse is refused
        before the schema's extensions (schema/errors.py) see it."""
        response = await super().process_result(request, result)
        codes = []
        for error in response.get("errors") or []:
            if isinstance(error, dict):
                codes.append(error.setdefault("extensions", {}).setdefault("code", BAD_USER_INPUT))
        told = graphql_outcome.get()
        if told is not None:
            told["outcome"] = codes[0] if codes else "ok"
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            actor=actor_of(request),
            database=self._database,
            directory=self._directory,
            clock=self._clock,
            issuer=self._issuer,
            partner_limits=self._partner_limits,
            mutation_limits=self._mutation_limits,
            events=self.events,
        )

    async def context_of(self, request: Request) -> Context:
        """The context of an HTTP request answered without this view (a compiled plan's)."""
        return await self.get_context(request, None)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """A WebSocket client sends its bearer token in connection_init; a bad one is refused."""
        params = context.connection_params or {}
        token = params.get("Authorization", params.get("authorization"))
        if token is None:
            return None
        if not isinstance(token, str):
            raise ConnectionRejectionError({"message": "the token is a string"})
        scheme, _, credentials = token.partition(" ")
        try:
            context.actor = await asyncio.to_thread(
                self._verifier.verify, credentials if scheme.lower() == "bearer" else token
            )
        except InvalidToken as error:
            raise ConnectionRejectionError(
                {"message": f"the token is not valid: {error}"}
            ) from None
        return None


def verifier_for(settings: Settings) -> TokenVerifier:
    if settings.jwks_url:
        return TokenVerifier(
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            jwks_url=settings.jwks_url,
        )
    key = load_or_create_key(settings.local_issuer_key)
    return TokenVerifier(
        issuer=settings.token_issuer, audience=settings.token_audience, local_key=key.public_key()
    )


async def _periodically(what: str, work: Callable[[], Awaitable[int]], interval: float) -> None:
    """Runs `work` now and then every `interval` seconds; a failure waits for the next turn."""
    while True:
        try:
            done = await work()
            log.info("%s: %d", what, done)
        except Exception:
            log.exception("%s failed; trying again next interval", what)
        await asyncio.sleep(interval)


async def _publish_in_turn(settings: Settings, database: Database, clock: Clock) -> int:
    """The figures publication of a worker's turn: every worker runs it, and leaves it be when
    another published within half an interval, so that N workers publish about once."""
    within = timedelta(seconds=settings.publish_interval_seconds / 2)
    if not settings.publish_apart:
        uow = SqlUnitOfWork(database, Audit.system("publish", clock))
        return await publish_figures(uow, clock, unless_published_within=within)
    # A process started for it alone: a publication of every place holds the CPU for seconds
    # and leaves its allocations behind in the process that made it.
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        loop = asyncio.get_running_loop()
        url = database.url.render_as_string(hide_password=False)
        return await loop.run_in_executor(pool, _publish_apart, url, within.total_seconds())
    finally:
        pool.shutdown(wait=False)


def _publish_apart(database_url: str, within_seconds: float) -> int:
    """The publication, in the process started for it (on the system clock)."""

    async def publish() -> int:
        database = connect(database_url, pool_size=1)
        try:
            uow = SqlUnitOfWork(database, Audit.system("publish"))
            within = timedelta(seconds=within_seconds)
            return await publish_figures(uow, SystemClock(), unless_published_within=within)
        finally:
            await database.dispose()

    return asyncio.run(publish())


# How often a worker writes down its gauges (pool, subscribers), so that a scrape answered by
# another worker sees them fresh.
SAMPLE_SECONDS = 5.0


async def _sampling(database: Database, events: EventHub) -> None:
    while True:
        sample(database, events)
        await asyncio.sleep(SAMPLE_SECONDS)


def _observe(request: dict[str, Any]) -> None:
    """A GraphQL request's line feeds the operation metrics too."""
    if "operation" in request:
        seconds = request["duration_ms"] / 1000
        observe_operation(request["operation"], request.get("outcome", "ok"), seconds)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
    issuer: CertificateIssuer | None = None,
) -> Starlette:
    settings = settings or Settings()
    owns_database = database is None
    db = database or connect(settings.database_url, pool_size=settings.database_pool_size)
    the_clock = clock or SystemClock()
    the_issuer = issuer or CertificateIssuer.load(settings.certificate_keys, settings.public_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        reason = await migrate.pending_reason(db)
        if reason is not None:
            raise RuntimeError(reason)
        chores = [
            asyncio.create_task(
                _periodically(
                    "registrations whose premium lapsed",
                    lambda: lapse_due_premiums(
                        SqlUnitOfWork(db, Audit.system("lapse", the_clock)), the_clock
                    ),
                    settings.lapse_interval_seconds,
                )
            ),
            asyncio.create_task(
                _periodically(
                    "places whose figures were published",
                    lambda: _publish_in_turn(settings, db, the_clock),
                    settings.publish_interval_seconds,
                )
            ),
            asyncio.create_task(_sampling(db, graphql.events)),
            asyncio.create_task(watch_event_loop()),
        ]
        time_collections()
        try:
            yield
        finally:
            await graphql.events.close()
            for chore in chores:
                chore.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*chores)
            if owns_database:
                await db.dispose()

    count_connections(db)
    the_verifier = verifier or verifier_for(settings)
    graphql = PlatformGraphQL(db, the_clock, the_issuer, the_verifier, settings)

    async def home(_request: Request) -> Response:
        return RedirectResponse("/app")

    return Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *issuer_routes(db, the_issuer, the_clock, settings.status_list_ttl_seconds),
            *export_routes(db, the_clock),
            *registrants_export_routes(db, the_clock),
            *health_routes(db, graphql.events),
            *metrics_routes(db, graphql.events),
            *web_routes(),
        ],
        middleware=[
            Middleware(RequestLog, observe=_observe),
            Middleware(
                AuthenticationMiddleware,
                backend=BearerTokenBackend(the_verifier),
                on_error=unauthenticated,
            ),
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                max_upload_bytes=settings.max_upload_bytes,
            ),
            # The compiled plans' statements are PostgreSQL's; on SQLite every operation
            # executes.
            *(
                [Middleware(CompiledOperations, context_of=graphql.context_of)]
                if settings.compiled_operations and db.url.get_backend_name() == "postgresql"
                else []
            ),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The factory uvicorn calls in each worker process."""
    gc.set_threshold(*Settings().collector_thresholds)
    log_as_json()
    return create_app()


# ------------------------------------------------------------------------ command line


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="furusato", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL at /graphql")
    serve.add_argument("--database-url")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    migrate_command = commands.add_parser(
        "migrate", help="create or upgrade the schema and load the municipality master data"
    )
    migrate_command.add_argument("--database-url")

    seed = commands.add_parser("seed", help="add data")
    data_set = seed.add_mutually_exclusive_group(required=True)
    data_set.add_argument("--demo", action="store_true", help="the demo data set")
    data_set.add_argument(
        "--synthetic", action="store_true", help="a synthetic population at scale (benchmarks)"
    )
    seed.add_argument("--residents", type=int, default=10_000, help="with --synthetic")
    seed.add_argument("--database-url")

    join = commands.add_parser("join", help="record a place's participation, as the operator")
    join.add_argument("code")
    join.add_argument("--agreed-on", type=_date)
    join.add_argument("--starts-on", type=_date)
    join.add_argument("--database-url")

    export = commands.add_parser("export", help="write figures as CSV, for open data")
    export.add_argument("what", choices=["stats"])
    export.add_argument("--scope", required=True, help=f"{NATION_SCOPE} or a place's code")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--database-url")

    imports = commands.add_parser(
        "import", help="take in a municipality's list (CSV in UTF-8 or Shift_JIS, or .xlsx)"
    )
    imports.add_argument("what", choices=[kind.value.lower() for kind in ImportKind])
    imports.add_argument("file", type=Path)
    imports.add_argument("--municipality", required=True, help="whose list it is (its code)")
    imports.add_argument("--report", type=Path, help="write every row's outcome there, as CSV")
    imports.add_argument("--database-url")

    lapse = commands.add_parser("lapse", help="turn premium that ran out into basic, now")
    lapse.add_argument("--database-url")

    audit_log = commands.add_parser("audit", help="the audit log, for inspectors")
    audit_log.add_argument("what", choices=["export"])
    audit_log.add_argument("--municipality", help="only the entries of this place's records")
    audit_log.add_argument("--since", type=_date, help="only entries from this day on (JST)")
    audit_log.add_argument("--database-url")

    publish = commands.add_parser(
        "publish", help="publish every place's figures for all but its own staff, now"
    )
    publish.add_argument("what", choices=["figures"])
    publish.add_argument("--database-url")

    verify = commands.add_parser(
        "verify", help="check a certificate token offline, as VerifyCertificate would"
    )
    verify.add_argument("certificate_token")
    verify.add_argument(
        "--issuer-keys",
        type=Path,
        help="the issuer's /.well-known/jwt-vc-issuer document (default: this machine's keys)",
    )
    verify.add_argument(
        "--status-list", type=Path, action="append", default=[], help="a cached status list"
    )

    commands.add_parser(
        "rotate-certificate-key", help="sign new certificates with a new key; old ones stay valid"
    )

    token = commands.add_parser("token", help="print a bearer token of the local issuer")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--subject", required=True)
    token.add_argument("--municipality")
    token.add_argument("--partner")
    token.add_argument("--verified", action="store_true")
    token.add_argument("--name")
    token.add_argument("--birth-year", type=int)
    token.add_argument("--ttl-hours", type=int, default=TOKEN_TTL_SECONDS // 3600)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    url = getattr(args, "database_url", None)
    if url:
        # Worker processes read their settings from the environment.
        os.environ["FURUSATO_DATABASE_URL"] = url
    return Settings()


async def _with_database(settings: Settings, work: Any) -> Any:
    database = connect(settings.database_url)
    try:
        reason = await migrate.pending_reason(database)
        if reason is not None:
            raise SystemExit(f"furusato: {reason}")
        return await work(database)
    finally:
        await database.dispose()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    async def check(_database: Database) -> None:
        return None

    asyncio.run(_with_database(settings, check))
    # The keys are made once here, before the workers start and would each make their own.
    verifier_for(settings)
    CertificateIssuer.load(settings.certificate_keys, settings.public_url)
    if args.workers > 1:
        # The workers' metrics, added up by whichever answers /metrics (edge/metrics.py).
        metrics_dir = settings.var_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ[MULTIPROCESS_DIR] = str(metrics_dir.resolve())
    log_as_json()
    uvicorn.run(
        "gateway:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # Logging is JSON lines (edge/request_log.py), one per request: uvicorn's own access
        # log and configuration stay out.
        log_config=None,
        access_log=False,
        # On SIGTERM: no new connections, requests in flight finish (up to this long), and
        # subscriptions are closed with 1012 (service restart): clients reconnect and resume
        # from their cursor.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
    return 0


def _migrate(settings: Settings) -> int:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)

    async def load() -> int:
        database = connect(settings.database_url)
        try:
            return await migrate.load_master_data(database)
        finally:
            await database.dispose()

    print(f"schema at head; {asyncio.run(load())} places in the master data")
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    if args.synthetic:
        return _seed_synthetic(args.residents, settings)

    async def work(database: Database) -> bool:
        added = await demo.seed(SqlUnitOfWork(database, Audit.system("seed")), SystemClock())
        await publish_figures(SqlUnitOfWork(database), SystemClock())
        return added

    added = asyncio.run(_with_database(settings, work))
    print("demo data added" if added else "demo data already present")
    return 0


def _seed_synthetic(residents: int, settings: Settings) -> int:
    if residents < 1:
        print("furusato: --residents must be at least 1", file=sys.stderr)
        return 2

    async def work(database: Database) -> str:
        population = await synthetic.seed(database, residents, SystemClock().now())
        scopes = await publish_figures(SqlUnitOfWork(database), SystemClock())
        rows = population.rows
        return (
            f"{len(rows['resident']):,} synthetic residents added with"
            f" {len(rows['registration']):,} registrations; figures published for {scopes}"
            " scopes"
        )

    print(asyncio.run(_with_database(settings, work)))
    return 0


def _join(args: argparse.Namespace, settings: Settings) -> int:
    try:
        code = municipality_code.parse(args.code, "code")
    except InvalidInput as error:
        print(f"furusato: {error}", file=sys.stderr)
        return 2
    today = japan_date(SystemClock().now())
    agreed_on = args.agreed_on or today
    starts_on = args.starts_on or max(agreed_on, today)

    async def work(database: Database) -> str:
        record = await places.join_platform(
            SqlUnitOfWork(database, Audit.system("join")), code, agreed_on, starts_on
        )
        early = " (early adopter)" if record.early_adopter else ""
        return f"{code} agreed on {record.agreed_on}, starts on {record.starts_on}{early}"

    try:
        print(asyncio.run(_with_database(settings, work)))
    except Refusal as refusal:
        print(f"furusato: {refusal.problems[0].code}: {refusal}", file=sys.stderr)
        return 1
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Open data: small counts suppressed, as for anyone but the place's own staff."""
    scope = args.scope
    if scope != NATION_SCOPE:
        try:
            scope = municipality_code.parse(scope, "scope")
        except InvalidInput as error:
            print(f"furusato: {error}", file=sys.stderr)
            return 2

    async def work(database: Database) -> str | None:
        if scope != NATION_SCOPE and scope not in await MunicipalityDirectory(database).places():
            return None
        return await csv_of(database, scope, SystemClock().now(), None)

    written = asyncio.run(_with_database(settings, work))
    if written is None:
        print(f"furusato: no place has the code {scope}", file=sys.stderr)
        return 2
    sys.stdout.write(written)
    return 0


# Rejected rows printed after an import; the report (--report) has all of them.
REJECTIONS_SHOWN = 20


def _import(args: argparse.Namespace, settings: Settings) -> int:
    """0 when every row was taken in, 1 when some were rejected or the import refused."""
    try:
        code = municipality_code.parse(args.municipality, "municipality")
        source, size = read_list(args.file.name, args.file.read_bytes())
    except (InvalidInput, UnreadableFile, OSError) as error:
        print(f"furusato: {error}", file=sys.stderr)
        return 2
    kind = ImportKind(args.what.upper())
    rows = ListFile(source.name, source.header, with_progress(source.rows, size))

    async def work(database: Database) -> tuple[ImportJob, list[Rejection]]:
        uow = SqlUnitOfWork(database, Audit.system("import"))
        if args.report is None:
            return await import_list(uow, SystemClock(), "system:import", kind, code, rows)
        with args.report.open("w", encoding="utf-8", newline="") as out:
            report = RowReportWriter(out)
            return await import_list(uow, SystemClock(), "system:import", kind, code, rows, report)

    try:
        job, rejections = asyncio.run(_with_database(settings, work))
    except Refusal as refusal:
        print(f"furusato: {refusal.problems[0].code}: {refusal}", file=sys.stderr)
        return 1
    except UnreadableFile as error:
        print(f"furusato: {error}; nothing of the file was imported", file=sys.stderr)
        return 2
    counts = ", ".join(f"{job.outcomes[o]:,} {o.value.lower()}" for o in RowOutcome)
    print(f"import {job.id} of {job.file_name} for {code}: {counts}")
    for rejection in rejections[:REJECTIONS_SHOWN]:
        reasons = "; ".join(f"{p.code} ({p.field}): {p.message}" for p in rejection.problems)
        print(f"  line {rejection.line}: {reasons}", file=sys.stderr)
    if len(rejections) > REJECTIONS_SHOWN:
        print(f"  ... and {len(rejections) - REJECTIONS_SHOWN:,} more", file=sys.stderr)
    return 1 if rejections else 0


def _lapse(settings: Settings) -> int:
    async def work(database: Database) -> int:
        return await lapse_due_premiums(
            SqlUnitOfWork(database, Audit.system("lapse")), SystemClock()
        )

    print(f"premium lapsed for {asyncio.run(_with_database(settings, work))} registrations")
    return 0


AUDIT_EXPORT_BATCH = 5_000


def _audit_export(args: argparse.Namespace, settings: Settings) -> int:
    """Every entry as one JSON object a line, oldest first, read in batches."""
    code = args.municipality
    if code is not None:
        try:
            code = municipality_code.parse(code, "municipality")
        except InvalidInput as error:
            print(f"furusato: {error}", file=sys.stderr)
            return 2
    since = start_of_japan_day(args.since) if args.since else None

    async def work(database: Database) -> int:
        written, after = 0, 0
        async with AsyncSession(database.read_engine) as session:
            while batch := await views.audit_entries(
                session, code, since, after, AUDIT_EXPORT_BATCH
            ):
                for entry in batch:
                    line = entry.model_dump(mode="json")
                    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                written += len(batch)
                after = batch[-1].id or after
        return written

    written = asyncio.run(_with_database(settings, work))
    print(f"furusato: {written} audit entries", file=sys.stderr)
    return 0


def _publish(settings: Settings) -> int:
    async def work(database: Database) -> int:
        return await publish_figures(SqlUnitOfWork(database), SystemClock())

    print(f"figures published for {asyncio.run(_with_database(settings, work))} scopes")
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    claims: dict[str, Any] = {"sub": args.subject, "role": args.role}
    if args.municipality:
        claims["municipality"] = args.municipality
    if args.partner:
        claims["partner"] = args.partner
    if args.verified:
        claims["identity_verified"] = True
    if args.name:
        claims["name"] = args.name
    if args.birth_year is not None:
        claims["birth_year"] = args.birth_year
    issuer = LocalIssuer(
        load_or_create_key(settings.local_issuer_key),
        settings.token_issuer,
        settings.token_audience,
    )
    print(issuer.mint(claims, args.ttl_hours * 3600))
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.issuer_keys:
            metadata = load_json(args.issuer_keys.read_text(encoding="utf-8"))
        else:
            metadata = CertificateIssuer.load(
                settings.certificate_keys, settings.public_url, create=False
            ).metadata()
        lists = [path.read_text(encoding="utf-8") for path in args.status_list]
        verifier = OfflineVerifier(metadata, lists)
    except (OSError, ValueError, NoCertificateKey) as error:
        print(f"furusato: cannot verify: {error}", file=sys.stderr)
        return 2
    verdict = verifier.verify(args.certificate_token)
    names = {place.code: place.name for place in master_data.shipped()}
    code = verdict.municipality_code
    print(
        json.dumps(
            {
                "valid": verdict.valid,
                "status": verdict.status.value,
                "reason": verdict.reason,
                "tier": verdict.tier,
                "serialNumber": verdict.serial_number,
                "validUntil": (
                    datetime.fromtimestamp(verdict.valid_until, UTC).isoformat()
                    if verdict.valid_until is not None
                    else None
                ),
                "municipality": {"code": code, "name": names.get(code)} if code else None,
            },
            ensure_ascii=False,
        )
    )
    return 0 if verdict.valid else 1


def _rotate(settings: Settings) -> int:
    key = certificate_issuer.rotate(settings.certificate_keys)
    print(f"new certificate signing key {key.kid}; earlier keys stay published")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command != "migrate":
        # Alembic narrates every schema-version check; only migrating is worth reading.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = _settings(args)
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "seed":
        return _seed(args, settings)
    if args.command == "join":
        return _join(args, settings)
    if args.command == "export":
        return _export(args, settings)
    if args.command == "import":
        return _import(args, settings)
    if args.command == "lapse":
        return _lapse(settings)
    if args.command == "publish":
        return _publish(settings)
    if args.command == "audit":
        return _audit_export(args, settings)
    if args.command == "verify":
        return _verify(args, settings)
    if args.command == "rotate-certificate-key":
        return _rotate(settings)
    return _token(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
