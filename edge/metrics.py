"""Prometheus metrics at /metrics: GraphQL operations by name and outcome, their latency, the
database pool, live subscribers and how fresh the event outbox poll is.

With several workers (`furusato serve --workers N`) each writes its series to files under
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, which `serve` sets up), and
whichever worker answers a scrape adds up all of them."""

from __future__ import annotations

import os
from functools import cache, lru_cache

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edge.persisted_documents import operation_names
from persistence.database import Database
from resolvers.event_hub import EventHub

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Names of operations that are not the clients' own are one series, not one each.
OTHER = "other"

OPERATIONS = Counter(
    "furusato_graphql_operations_total",
    "GraphQL operations over HTTP, by operation and outcome (ok, or the first error's code).",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "furusato_graphql_operation_seconds",
    "Time from the request to its answer, by operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OPENED = Counter(
    "furusato_database_connections_opened_total",
    "Connections the worker opened to the database: flat once warm; a steady climb means the"
    " pool is too small for the load (FURUSATO_DATABASE_POOL_SIZE).",
)
POOL = Gauge(
    "furusato_database_connections",
    "Connections of the write pool, by state (in_use, idle).",
    ["state"],
    multiprocess_mode="livesum",
)


@cache
def _event_gauges() -> tuple[Gauge, Gauge]:
    """Made on first use: in multiprocess mode a gauge without labels writes its file when
    it is made, and a process that never serves (the publication's) should write none."""
    subscribers = Gauge(
        "furusato_subscribers",
        "Live subscriptions to municipal event streams.",
        multiprocess_mode="livesum",
    )
    poll_age = Gauge(
        "furusato_event_poll_age_seconds",
        "Seconds since the event outbox was last read for subscribers (0 without any).",
        multiprocess_mode="max",
    )
    return subscribers, poll_age


def operation_label(operation: str) -> str:
    """`query MyProfile` -> `MyProfile`; a name not of the clients' operations -> `other`."""
    name = operation.rpartition(" ")[2]
    return name if name in operation_names() else OTHER


# Few pairs: the clients' operation names (or `other`) by the platform's error codes.
@lru_cache(maxsize=512)
def _series(label: str, outcome: str) -> tuple[Counter, Histogram]:
    """The counter and histogram of an operation's outcome: found once, not per request."""
    return OPERATIONS.labels(label, outcome), LATENCY.labels(label)


def observe_operation(operation: str, outcome: str, seconds: float) -> None:
    count, latency = _series(operation_label(operation), outcome)
    count.inc()
    latency.observe(seconds)


def _opened(*_: object) -> None:
    OPENED.inc()


def count_connections(database: Database) -> None:
    """Counts every connection the write pool opens from now on, once however many apps are
    made on the same database (tests make several)."""
    engine = database.write_engine.sync_engine
    if not event.contains(engine, "connect", _opened):
        event.listen(engine, "connect", _opened)


def sample(database: Database, events: EventHub) -> None:
    """The gauges, as they are now."""
    pool = database.write_engine.sync_engine.pool
    in_use = getattr(pool, "checkedout", lambda: 0)()
    idle = getattr(pool, "checkedin", lambda: 0)()
    POOL.labels("in_use").set(in_use)
    POOL.labels("idle").set(idle)
    subscribers, poll_age = _event_gauges()
    subscribers.set(events.subscribers)
    poll_age.set(events.poll_age())


def metrics_routes(database: Database, events: EventHub) -> list[Route]:
    async def metrics(_request: Request) -> Response:
        sample(database, events)
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            body = generate_latest(registry)
        else:
            body = generate_latest()
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", metrics)]
