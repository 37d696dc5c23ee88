"""Real-time: subscribers held, commit-to-client latency, commit throughput with subscribers.

    .venv/bin/python bench/realtime.py [--subscribers 10000] [--rate 50] [--seconds 20]
        [--throughput-subscribers 1000] [--commits 300] [--database-url URL]

One `furusato serve` worker; the subscribers (graphql-transport-ws, MunicipalEvents of one
village) and the writers run in this process on the same 2 cores. Writes bench/REPORT-realtime.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import websockets
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.clock import SystemClock  # noqa: E402
from domain.roles import Actor, Role  # noqa: E402
from domain.vocabulary import Relationship  # noqa: E402
from edge.settings import Settings  # noqa: E402
from edge.tokens import LocalIssuer, load_or_create_key  # noqa: E402
from persistence.database import connect  # noqa: E402
from persistence.unit_of_work import SqlUnitOfWork  # noqa: E402
from services import places, registrations  # noqa: E402

HAKUBA = "204854"
QUERY = """subscription ($code: String!) { municipalEvents(municipalityCode: $code) {
    cursor type occurredAt } }"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _subscriber(
    url: str, token: str, ready: asyncio.Event, latencies: list[float], opened: list[int]
) -> None:
    async with websockets.connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None
    ) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": QUERY, "variables": {"code": HAKUBA}},
                }
            )
        )
        opened.append(1)
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            event = message["payload"]["data"]["municipalEvents"]
            if ready.is_set():
                sent = datetime.fromisoformat(event["occurredAt"])
                latencies.append((datetime.now(UTC) - sent).total_seconds())


async def _register(database_url: str, count: int, start: int, rate: float | None) -> float:
    database = connect(database_url)
    clock = SystemClock()
    began = time.perf_counter()
    try:
        for n in range(count):
            await registrations.register_with(
                SqlUnitOfWork(database),
                Actor(f"bench-{start + n}", Role.RESIDENT),
                HAKUBA,
                Relationship.TOURISM,
                [],
                clock,
            )
            if rate:
                # Two events a registration: pace the registrations at half the event rate.
                await asyncio.sleep(max(0.0, began + (n + 1) * 2 / rate - time.perf_counter()))
    finally:
        await database.dispose()
    return count / (time.perf_counter() - began)


async def _hold(
    url: str, token: str, count: int, latencies: list[float], ready: asyncio.Event
) -> list[asyncio.Task[None]]:
    opened: list[int] = []
    tasks = []
    for _ in range(count):
        tasks.append(asyncio.create_task(_subscriber(url, token, ready, latencies, opened)))
        if len(tasks) % 200 == 0:
            await asyncio.sleep(0.05)
    deadline = time.perf_counter() + 120
    while len(opened) < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    return tasks


async def bench(args: argparse.Namespace) -> dict[str, float]:
    folder = tempfile.mkdtemp()
    url_db = args.database_url or f"sqlite+aiosqlite:///{folder}/realtime.db"
    env = {**os.environ, "FURUSATO_DATABASE_URL": url_db, "FURUSATO_VAR_DIR": folder}
    furusato = str(ROOT / ".venv" / "bin" / "furusato")
    subprocess.run([furusato, "migrate"], env=env, check=True, capture_output=True)
    settings = Settings(var_dir=Path(folder))
    issuer = LocalIssuer(
        load_or_create_key(settings.local_issuer_key),
        settings.token_issuer,
        settings.token_audience,
    )
    staff = issuer.mint({"sub": "staff", "role": "staff", "municipality": HAKUBA}, 3600)
    database = connect(url_db)
    today = datetime.now(UTC).date()
    await places.join_platform(SqlUnitOfWork(database), HAKUBA, today, today)
    await database.dispose()
    port = _free_port()
    server = subprocess.Popen(
        [furusato, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ws_url = f"ws://127.0.0.1:{port}/graphql"
    results: dict[str, float] = {}
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(200):
                try:
                    await probe.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
        results["throughput_without"] = await _register(url_db, args.commits, 0, None)

        ready = asyncio.Event()
        latencies: list[float] = []
        few = await _hold(ws_url, staff, args.throughput_subscribers, latencies, ready)
        await asyncio.sleep(1)
        results["throughput_with"] = await _register(url_db, args.commits, args.commits, None)
        for task in few:
            task.cancel()
        await asyncio.gather(*few, return_exceptions=True)

        latencies.clear()
        many = await _hold(ws_url, staff, args.subscribers, latencies, ready)
        results["held"] = sum(1 for task in many if not task.done())
        await asyncio.sleep(2)
        ready.set()
        events = int(args.rate * args.seconds)
        await _register(url_db, events // 2, 2 * args.commits, args.rate)
        await asyncio.sleep(3)
        latencies.sort()
        results["deliveries"] = len(latencies)
        results["expected_deliveries"] = events // 2 * 2 * results["held"]
        results["p50_ms"] = statistics.median(latencies) * 1000 if latencies else float("nan")
        results["p99_ms"] = (
            latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
        )
        for task in many:
            task.cancel()
        await asyncio.gather(*many, return_exceptions=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--throughput-subscribers", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    r = asyncio.run(bench(args))
    ratio = r["throughput_with"] / r["throughput_without"]
    report = f"""# Real-time benchmark

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}; `bench/realtime.py --subscribers {args.subscribers}
--rate {args.rate:g} --seconds {args.seconds:g} --throughput-subscribers {args.throughput_subscribers}
--commits {args.commits}` on {"PostgreSQL" if args.database_url else "SQLite"}. One server worker;
subscribers and writers share the same 2 cores with it.

| what | measured | goal |
| --- | ---: | ---: |
| subscribers held | {r["held"]:,.0f} of {args.subscribers:,} | 10,000 |
| deliveries at {args.rate:g} events/s for {args.seconds:g} s | {r["deliveries"]:,.0f} of {r["expected_deliveries"]:,.0f} | all |
| commit-to-client latency p50 | {r["p50_ms"]:.0f} ms | |
| commit-to-client latency p99 | {r["p99_ms"]:.0f} ms | < 250 ms |
| registrations/s committed, no subscribers | {r["throughput_without"]:.1f} | |
| registrations/s committed, {args.throughput_subscribers:,} subscribers attached | {r["throughput_with"]:.1f} | |
| ratio with / without | {ratio:.2f} | >= 0.9 |
"""
    (ROOT / "bench" / "REPORT-realtime.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
