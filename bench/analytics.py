"""Analytics: NationalOverview and MunicipalityDashboard at 100k and 1M registrations.

    .venv/bin/python bench/analytics.py [--small 100000] [--large 1000000] [--requests 200]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Makes a database of its own on the PostgreSQL server, fills it with `furusato seed --synthetic`
(the same code) up to each size, vacuums and analyses it as autovacuum would after a bulk
load, and times each operation through the ASGI app in this process,
after a warm-up, one request at a time. Times the publication of every place's figures (what
the server does every few minutes for all but a place's own staff) before reading them. Writes
bench/REPORT-analytics.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import add_server_argument, recreate  # noqa: E402
from domain import municipality_code  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from edge.settings import Settings  # noqa: E402
from edge.tokens import LocalIssuer, TokenVerifier, load_or_create_key  # noqa: E402
from gateway import create_app  # noqa: E402
from persistence import migrate, synthetic  # noqa: E402
from persistence.database import Database, connect  # noqa: E402
from persistence.unit_of_work import SqlUnitOfWork  # noqa: E402
from services.figures import publish_figures  # noqa: E402
from tests.contract import served  # noqa: E402

DATABASE = "furusato_bench_analytics"
BATCH_RESIDENTS = 20_000
# What the generator makes on average (persistence/synthetic.py, PLACES_PER_PERSON).
REGISTRATIONS_PER_RESIDENT = 2.5


def _vacuum(url: str) -> None:
    """What autovacuum does after a bulk load, before the figures are read."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


async def _grow_to(
    database: Database, registrations: int, have: int, busiest: Counter[str]
) -> tuple[int, str]:
    """Seed until the database holds `registrations`; the busiest municipality."""
    while have < registrations:
        wanted = int((registrations - have) / REGISTRATIONS_PER_RESIDENT) + 1
        population = await synthetic.seed(
            database, min(wanted, BATCH_RESIDENTS), SystemClock().now()
        )
        rows = population.rows["registration"]
        have += len(rows)
        busiest.update(
            r["municipality_code"]
            for r in rows
            if not municipality_code.is_prefecture(r["municipality_code"])
        )
    return have, busiest.most_common(1)[0][0]


async def _time(
    http: httpx.AsyncClient, name: str, variables: dict[str, Any], token: str, n: int
) -> dict[str, float]:
    query = served(name)

    async def once() -> float:
        began = time.perf_counter()
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        elapsed = time.perf_counter() - began
        body = response.json()
        if "errors" in body:
            raise RuntimeError(f"{name}: {body['errors']}")
        return elapsed

    for _ in range(10):
        await once()
    samples = sorted([await once() for _ in range(n)])
    return {
        "p50": statistics.median(samples) * 1000,
        "p95": samples[int(len(samples) * 0.95) - 1] * 1000,
    }


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    url = recreate(args.postgres_url, DATABASE)
    migrate.upgrade(url)
    settings = Settings(var_dir=Path(args.var_dir))
    issuer = LocalIssuer(load_or_create_key(settings.local_issuer_key), "bench", "furusato")
    verifier = TokenVerifier(issuer="bench", audience="furusato", local_key=issuer.key.public_key())
    database = connect(url)
    await migrate.load_master_data(database)
    results: dict[str, Any] = {}
    have = 0
    busiest_places: Counter[str] = Counter()
    try:
        app = create_app(settings, database=database, verifier=verifier)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for label, size in (("small", args.small), ("large", args.large)):
                have, busiest = await _grow_to(database, size, have, busiest_places)
                _vacuum(url)
                began = time.perf_counter()
                scopes = await publish_figures(SqlUnitOfWork(database), SystemClock())
                publication = time.perf_counter() - began
                staff = issuer.mint(
                    {"sub": "staff", "role": "staff", "municipality": busiest}, 3600
                )
                analyst = issuer.mint({"sub": "analyst", "role": "analyst"}, 3600)
                results[label] = {
                    "registrations": have,
                    "busiest": busiest,
                    "publication": publication,
                    "scopes": scopes,
                    "national": await _time(http, "NationalOverview", {}, analyst, args.requests),
                    "dashboard": await _time(
                        http, "MunicipalityDashboard", {"code": busiest}, staff, args.requests
                    ),
                    "published dashboard": await _time(
                        http, "MunicipalityDashboard", {"code": busiest}, analyst, args.requests
                    ),
                }
    finally:
        await database.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    add_server_argument(parser)
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args()
    r = asyncio.run(bench(args))
    small, large = r["small"], r["large"]

    def row(operation: str, key: str) -> str:
        a, b = small[key], large[key]
        return (
            f"| {operation} | {a['p50']:.1f} ms ({a['p95']:.1f}) | {b['p50']:.1f} ms ({b['p95']:.1f})"
            f" | {b['p50'] / a['p50']:.2f} |"
        )

    report = f"""# Analytics benchmark

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}, PostgreSQL; `bench/analytics.py --small {args.small}
--large {args.large} --requests {args.requests}`. Synthetic population (`furusato seed
--synthetic`); each operation through the ASGI app in one process, one request at a time after
a warm-up; p50 (p95). The dashboard is the busiest municipality's, read by its own staff (its
kept figures, now) and by an analyst (the last publication).

| operation | {small["registrations"]:,} registrations | {large["registrations"]:,} registrations | ratio (goal <= 1.5) |
| --- | ---: | ---: | ---: |
{row("NationalOverview", "national")}
{row("MunicipalityDashboard (own staff)", "dashboard")}
{row("MunicipalityDashboard (analyst)", "published dashboard")}

Publishing every place's figures, suppressed together ({small["scopes"]:,} and {large["scopes"]:,}
scopes): {small["publication"]:.1f} s and {large["publication"]:.1f} s (ratio
{large["publication"] / small["publication"]:.2f}).

Goal: p50 < 50 ms at 1M registrations, and a ratio of at most 1.5: the figures are kept as
registrations change (`tally`), so reading them does not grow with registrations.
"""
    (ROOT / "bench" / "REPORT-analytics.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
