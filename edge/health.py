"""Whether this worker lives (/healthz) and whether it can serve (/readyz): the database
answers within a second, its schema is the one the code expects, and subscribers get their
events. A load balancer stops sending to a worker that is not ready and sends again once it is;
the worker recovers by itself (its pool reconnects)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from persistence import migrate
from persistence.database import Database
from resolvers.event_hub import EventHub

# Longer than this and the database counts as away: /readyz answers within about a second.
DATABASE_TIMEOUT_SECONDS = 1.0
OK = "ok"


async def readiness(database: Database, events: EventHub) -> dict[str, str]:
    """Each check: `ok`, or what is wrong."""
    checks: dict[str, str] = {}
    try:
        reason = await asyncio.wait_for(
            migrate.pending_reason(database), timeout=DATABASE_TIMEOUT_SECONDS
        )
    except TimeoutError:
        checks["database"] = f"no answer within {DATABASE_TIMEOUT_SECONDS:g} s"
    except Exception as error:
        checks["database"] = f"unreachable ({type(error).__name__})"
    else:
        checks["database"] = OK
        checks["migrations"] = reason or OK
    checks["events"] = (
        OK if events.delivering() else f"the outbox was last read {events.poll_age():.1f} s ago"
    )
    return checks


def health_routes(database: Database, events: EventHub) -> list[Route]:
    async def alive(_request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def ready(_request: Request) -> Response:
        checks = await readiness(database, events)
        ready = all(value == OK for value in checks.values()) and "migrations" in checks
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    return [Route("/healthz", alive), Route("/readyz", ready)]
