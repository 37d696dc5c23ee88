"""Soak: a mixed load on `furusato serve --workers 2` for ten minutes, on PostgreSQL.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 16] [--subscribers 20]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Makes a database of its own (a synthetic population of 20,000 people), serves it with two
workers, and keeps `--clients` callers busy: residents registering and reading their profile
and feed, staff reading their dashboard and registrants, partners none, the nation's overview;
`--subscribers` dashboards follow their places' events over WebSocket. Every 30 seconds it
notes requests, errors, latency (p50, p99) and the resident memory of the server's processes.
Writes bench/REPORT-soak.md. Goals: no errors, memory growth under 10% after the warm-up,
latency stable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import add_server_argument, recreate  # noqa: E402
from bench.served import family, local_issuer  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from edge.tokens import LocalIssuer  # noqa: E402
from persistence import migrate, synthetic  # noqa: E402
from persistence.database import connect  # noqa: E402
from tests.contract import served  # noqa: E402

DATABASE = "furusato_bench_soak"
FURUSATO = Path(sys.executable).parent / "furusato"
WINDOW_SECONDS = 30
# Memory is judged after this. The publication runs every minute here (every five in
# production), so that the soak repeats it some ten times.
WARM_UP_SECONDS = 120
PUBLISH_EVERY_SECONDS = 60
PLACES = ["204854", "202011", "131016", "011002", "141003", "271004", "401005", "472018"]


async def _prepare(url: str) -> None:
    migrate.upgrade(url)
    database = connect(url)
    try:
        await migrate.load_master_data(database)
        await synthetic.seed(database, 20_000, SystemClock().now())
    finally:
        await database.dispose()


def _rss_kib(root_pid: int) -> int:
    """Resident memory of the server's processes, in KiB."""
    pids = family(root_pid)
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    events: int = 0


@dataclass
class Load:
    issuer: LocalIssuer
    url: str
    window: Window = field(default_factory=Window)
    error_samples: list[str] = field(default_factory=list)

    def token(self, role: str, subject: str, **claims: Any) -> str:
        return self.issuer.mint({"sub": subject, "role": role, **claims}, 3600)

    async def call(
        self, http: httpx.AsyncClient, name: str, variables: dict[str, Any], token: str
    ) -> None:
        started = time.perf_counter()
        try:
            response = await http.post(
                "/graphql",
                json={"query": served(name), "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            failed = response.status_code != 200 or "errors" in body
            if failed and len(self.error_samples) < 10:
                self.error_samples.append(f"{name}: {response.status_code} {body}")
        except (httpx.HTTPError, json.JSONDecodeError) as error:
            failed = True
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{name}: {error!r}")
        self.window.latencies.append(time.perf_counter() - started)
        self.window.errors += failed

    async def client(self, number: int, until: float) -> None:
        chance = random.Random(number)  # noqa: S311  (a repeatable load, no secret)
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            person = 0
            while time.monotonic() < until:
                place = chance.choice(PLACES)
                roll = chance.random()
                if roll < 0.25:
                    person += 1
                    resident = self.token("resident", f"soak-{number}-{person}")
                    await self.call(
                        http,
                        "Register",
                        {"input": {"municipalityCode": place, "relationship": "TOURISM"}},
                        resident,
                    )
                    await self.call(http, "MyProfile", {}, resident)
                elif roll < 0.45:
                    resident = self.token("resident", f"soak-{number}-{max(person, 1)}")
                    await self.call(http, "MyFeed", {"first": 20}, resident)
                elif roll < 0.75:
                    staff = self.token("staff", f"staff-{place}", municipality=place)
                    await self.call(http, "MunicipalityDashboard", {"code": place}, staff)
                    await self.call(http, "Registrants", {"code": place, "first": 20}, staff)
                else:
                    analyst = self.token("analyst", "analyst")
                    await self.call(http, "NationalOverview", {}, analyst)

    async def subscriber(self, number: int, until: float) -> None:
        place = PLACES[number % len(PLACES)]
        staff = self.token("staff", f"staff-{place}", municipality=place)
        socket_url = self.url.replace("http", "ws") + "/graphql"
        async with websockets.connect(socket_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {staff}"}}
                )
            )
            await ws.recv()
            query = served("MunicipalEvents")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": query, "variables": {"code": place}},
                    }
                )
            )
            while time.monotonic() < until:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 1))
                except TimeoutError:
                    continue
                if message.get("type") == "next":
                    self.window.events += 1
                else:
                    self.window.errors += 1


async def _drive(
    load: Load, minutes: float, clients: int, subscribers: int, pid: int
) -> list[dict[str, Any]]:
    until = time.monotonic() + minutes * 60
    tasks = [asyncio.create_task(load.client(n, until)) for n in range(clients)]
    tasks += [asyncio.create_task(load.subscriber(n, until)) for n in range(subscribers)]
    windows: list[dict[str, Any]] = []
    started = time.monotonic()
    while time.monotonic() < until:
        await asyncio.sleep(WINDOW_SECONDS)
        window, load.window = load.window, Window()
        latencies = sorted(window.latencies) or [0.0]
        windows.append(
            {
                "at": round(time.monotonic() - started),
                "requests": len(window.latencies),
                "errors": window.errors,
                "events": window.events,
                "p50_ms": statistics.median(latencies) * 1000,
                "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000
                if len(latencies) > 1
                else 0.0,
                "rss_mib": _rss_kib(pid) / 1024,
                "processes": len(family(pid)),
            }
        )
        print(windows[-1], flush=True)
    await asyncio.gather(*tasks)
    return windows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--publish-every",
        type=float,
        default=PUBLISH_EVERY_SECONDS,
        help="seconds between publications (production: 300)",
    )
    parser.add_argument(
        "--collector-thresholds", help='the workers\' GC thresholds, e.g. "[700, 10, 10]"'
    )
    parser.add_argument(
        "--malloc-arenas", help="MALLOC_ARENA_MAX for the server (glibc's default: 8 per core)"
    )
    add_server_argument(parser)
    args = parser.parse_args()
    url = recreate(args.postgres_url, DATABASE)
    sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    asyncio.run(_prepare(sqlalchemy_url))
    var = ROOT / "var" / "bench-soak"
    var.mkdir(parents=True, exist_ok=True)
    issuer = local_issuer(var)
    port = 8911
    env = {
        **os.environ,
        "FURUSATO_DATABASE_URL": sqlalchemy_url,
        "FURUSATO_VAR_DIR": str(var),
        "FURUSATO_PUBLISH_INTERVAL_SECONDS": str(args.publish_every),
        **({"MALLOC_ARENA_MAX": args.malloc_arenas} if args.malloc_arenas else {}),
        **(
            {"FURUSATO_COLLECTOR_THRESHOLDS": args.collector_thresholds}
            if args.collector_thresholds
            else {}
        ),
    }
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [str(FURUSATO), "serve", "--workers", str(args.workers), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):  # tracing or a cold disk slows the start
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        # Places take part before anyone registers.
        operator = issuer.mint({"sub": "operator", "role": "operator"}, 600)
        for place in PLACES:
            httpx.post(
                f"{base}/graphql",
                json={
                    "query": served("JoinPlatform"),
                    "variables": {
                        "input": {
                            "municipalityCode": place,
                            "agreedOn": "2026-01-01",
                            "startsOn": "2026-01-01",
                        }
                    },
                },
                headers={"Authorization": f"Bearer {operator}"},
            )
        load = Load(issuer, base)
        windows = asyncio.run(
            _drive(load, args.minutes, args.clients, args.subscribers, server.pid)
        )
    finally:
        server.terminate()
        server.wait(30)
        log.close()

    settled = [w for w in windows if w["at"] > WARM_UP_SECONDS] or windows
    growth = (settled[-1]["rss_mib"] - settled[0]["rss_mib"]) / settled[0]["rss_mib"]
    # A longer run also tells whether memory levels off: its last ten minutes alone.
    last = [w for w in windows if w["at"] > windows[-1]["at"] - 600] if args.minutes > 10 else []
    last_growth = (last[-1]["rss_mib"] - last[0]["rss_mib"]) / last[0]["rss_mib"] if last else 0
    total = sum(w["requests"] for w in windows)
    errors = sum(w["errors"] for w in windows)
    report = [
        "# Soak (bench/soak.py)",
        "",
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()};"
        f" `furusato serve --workers {args.workers}` on PostgreSQL (20,000 synthetic people to start),"
        f" {args.clients} callers and {args.subscribers} dashboards subscribed, {args.minutes:g} minutes"
        f"{f', MALLOC_ARENA_MAX={args.malloc_arenas}' if args.malloc_arenas else ''}"
        f"{f', GC thresholds {args.collector_thresholds}' if args.collector_thresholds else ''};"
        f" the figures are published every {args.publish_every:g} s (in a process started"
        " for each).",
        "",
        f"- Requests: {total:,}, errors: {errors}"
        + (f" (first: {load.error_samples[0][:200]})" if load.error_samples else ""),
        f"- Server memory: {windows[0]['rss_mib']:.0f} MiB at {windows[0]['at']} s; after the"
        f" warm-up ({WARM_UP_SECONDS} s)"
        f" {settled[0]['rss_mib']:.0f} MiB -> {settled[-1]['rss_mib']:.0f} MiB ({growth:+.1%});"
        " goal under +10%."
        + (
            f" Its last ten minutes: {last[0]['rss_mib']:.0f} MiB -> {last[-1]['rss_mib']:.0f} MiB"
            f" ({last_growth:+.1%})."
            if last
            else ""
        ),
        f"- Latency p50 {settled[0]['p50_ms']:.0f} -> {settled[-1]['p50_ms']:.0f} ms,"
        f" p99 {settled[0]['p99_ms']:.0f} -> {settled[-1]['p99_ms']:.0f} ms (first and last window after"
        " the warm-up).",
        "",
        "| at (s) | requests | errors | events pushed | p50 (ms) | p99 (ms) | RSS (MiB) | processes |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {w['at']} | {w['requests']:,} | {w['errors']} | {w['events']:,} |"
            f" {w['p50_ms']:.0f} | {w['p99_ms']:.0f} | {w['rss_mib']:.1f} | {w['processes']} |"
            for w in windows
        ],
        "",
    ]
    (ROOT / "bench" / "REPORT-soak.md").write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
