"""Real-time: subscribers held, commit-to-client latency, commit throughput with subscribers.

    .venv/bin/python bench/realtime.py [--subscribers 10000] [--places 1741] [--rate 50]
        [--seconds 20] [--hot-subscribers 40] [--throughput-subscribers 1000]
        [--commits 300] [--database-url URL]

One `furusato serve` worker. Municipal dashboards are spread over places: the subscribers
(graphql-transport-ws, MunicipalEvents) watch the first `--places` municipalities evenly, and the
registrations that make the events land on those places at random. A second run puts
`--hot-subscribers` on one village, the worst case of one stream's fan-out. Subscribers live in a
separate process, the writers in this one, all on the same 2 cores as the server. Writes
bench/REPORT-realtime.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.served import local_issuer  # noqa: E402
from domain import municipality_code  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from domain.roles import Actor, Role  # noqa: E402
from domain.vocabulary import Relationship  # noqa: E402
from persistence import master_data  # noqa: E402
from persistence.database import connect  # noqa: E402
from persistence.unit_of_work import SqlUnitOfWork  # noqa: E402
from services import places, registrations  # noqa: E402

HAKUBA = "204854"
QUERY = """subscription ($code: String!) { municipalEvents(municipalityCode: $code) {
    cursor type occurredAt } }"""
# A registration tells its place two things: registered, and certificate issued.
EVENTS_PER_REGISTRATION = 2
# Where the events land: repeatable from run to run, and no secret.
LANDING = random.Random(2027)  # noqa: S311


@dataclass(frozen=True)
class Phase:
    """Subscribers held and what reached them while events were committed."""

    held: int
    deliveries: int
    expected: int
    p50_ms: float
    p99_ms: float
    refusals: dict[str, int]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[max(0, int(len(ordered) * share) - 1)] * 1000


# Connections being set up at once, like a fleet of dashboards coming back after a restart
# with the reference client's retry: the rest wait their turn instead of timing out.
SETTING_UP = 200
ATTEMPTS = 5


@dataclass
class Watching:
    """The subscriber side's tally."""

    latencies: list[float] = field(default_factory=list)
    held: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    measuring: asyncio.Event = field(default_factory=asyncio.Event)


async def _subscribe(url: str, token: str, code: str, setting_up: asyncio.Semaphore) -> Any:
    async with setting_up:
        ws = await websockets.connect(
            url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None
        )
        try:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            await ws.recv()
            variables = {"code": code}
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": QUERY, "variables": variables},
                    }
                )
            )
        except BaseException:
            await ws.close()
            raise
        return ws


async def _subscriber(
    url: str, token: str, code: str, setting_up: asyncio.Semaphore, tally: Watching
) -> None:
    for attempt in range(ATTEMPTS):
        try:
            ws = await _subscribe(url, token, code, setting_up)
            break
        except (OSError, websockets.WebSocketException) as error:
            tally.refusals[type(error).__name__] += 1
            await asyncio.sleep(2**attempt)
    else:
        return
    tally.held[code] += 1
    try:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            event = message["payload"]["data"]["municipalEvents"]
            if tally.measuring.is_set():
                sent = datetime.fromisoformat(event["occurredAt"])
                tally.latencies.append((datetime.now(UTC) - sent).total_seconds())
    finally:
        tally.held[code] -= 1
        await ws.close()


async def _hold(url: str, watchers: list[tuple[str, str]], pipe: Connection) -> None:
    """The subscriber side, in its own process: open every subscription, report how many
    opened, measure on "measure", hand the tally back on "stop"."""
    tally = Watching()
    setting_up = asyncio.Semaphore(SETTING_UP)
    tasks = [
        asyncio.create_task(_subscriber(url, token, code, setting_up, tally))
        for token, code in watchers
    ]
    deadline = time.perf_counter() + 300
    while tally.held.total() < len(watchers) and time.perf_counter() < deadline:
        if all(task.done() for task in tasks):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)
    pipe.send(tally.held.total())
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, pipe.recv) != "stop":
        tally.measuring.set()
    pipe.send((dict(tally.held), tally.latencies, dict(tally.refusals)))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _subscriber_process(url: str, watchers: list[tuple[str, str]], pipe: Connection) -> None:
    asyncio.run(_hold(url, watchers, pipe))


async def _register(
    database_url: str, places_to: list[str], start: int, rate: float | None
) -> float:
    """Register one new person with each of `places_to`, in order; at `rate` events per
    second, or as fast as commits go."""
    database = connect(database_url)
    clock = SystemClock()
    began = time.perf_counter()
    try:
        for n, code in enumerate(places_to):
            await registrations.register_with(
                SqlUnitOfWork(database),
                Actor(f"bench-{start + n}", Role.RESIDENT),
                code,
                Relationship.TOURISM,
                [],
                clock,
            )
            if rate:
                pause = began + (n + 1) * EVENTS_PER_REGISTRATION / rate - time.perf_counter()
                await asyncio.sleep(max(0.0, pause))
    finally:
        await database.dispose()
    return len(places_to) / (time.perf_counter() - began)


class Bench:
    def __init__(self, args: argparse.Namespace, database_url: str, ws_url: str) -> None:
        self.args = args
        self.database_url = database_url
        self.ws_url = ws_url
        self.people = 0
        self.context = multiprocessing.get_context("spawn")

    def _attach(self, watchers: list[tuple[str, str]]) -> tuple[Connection, BaseProcess, int]:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_subscriber_process, args=(self.ws_url, watchers, theirs)
        )
        process.start()
        held: int = ours.recv()
        return ours, process, held

    async def register(self, places_to: list[str], rate: float | None) -> float:
        per_second = await _register(self.database_url, places_to, self.people, rate)
        self.people += len(places_to)
        return per_second

    async def throughput(self, codes: list[str], watchers: list[tuple[str, str]]) -> float:
        chosen = [LANDING.choice(codes) for _ in range(self.args.commits)]
        if not watchers:
            return await self.register(chosen, None)
        pipe, process, _ = self._attach(watchers)
        try:
            return await self.register(chosen, None)
        finally:
            pipe.send("stop")
            pipe.recv()
            process.join()

    async def fan_out(self, codes: list[str], watchers: list[tuple[str, str]]) -> Phase:
        pipe, process, held = self._attach(watchers)
        chosen = [
            LANDING.choice(codes)
            for _ in range(int(self.args.rate * self.args.seconds) // EVENTS_PER_REGISTRATION)
        ]
        await asyncio.sleep(2)
        pipe.send("measure")
        await self.register(chosen, self.args.rate)
        await asyncio.sleep(3)
        pipe.send("stop")
        watching, latencies, refusals = pipe.recv()
        process.join()
        latencies.sort()
        return Phase(
            held=min(held, sum(watching.values())),
            deliveries=len(latencies),
            expected=sum(EVENTS_PER_REGISTRATION * watching.get(code, 0) for code in chosen),
            p50_ms=_percentile(latencies, 0.5),
            p99_ms=_percentile(latencies, 0.99),
            refusals=refusals,
        )


def _spread(tokens: dict[str, str], codes: list[str], count: int) -> list[tuple[str, str]]:
    return [(tokens[codes[n % len(codes)]], codes[n % len(codes)]) for n in range(count)]


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    folder = tempfile.mkdtemp()
    url_db = args.database_url or f"sqlite+aiosqlite:///{folder}/realtime.db"
    env = {**os.environ, "FURUSATO_DATABASE_URL": url_db, "FURUSATO_VAR_DIR": folder}
    furusato = str(ROOT / ".venv" / "bin" / "furusato")
    subprocess.run([furusato, "migrate"], env=env, check=True, capture_output=True)
    issuer = local_issuer(Path(folder))
    municipalities = [
        place.code
        for place in master_data.shipped()
        if not municipality_code.is_prefecture(place.code)
    ]
    codes = [code for code in municipalities if code != HAKUBA][: args.places]
    database = connect(url_db)
    today = datetime.now(UTC).date()
    for code in [*codes, HAKUBA]:
        await places.join_platform(SqlUnitOfWork(database), code, today, today)
    await database.dispose()
    tokens = {
        code: issuer.mint({"sub": f"staff-{code}", "role": "staff", "municipality": code}, 7200)
        for code in [*codes, HAKUBA]
    }
    port = _free_port()
    server = subprocess.Popen(
        [furusato, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(200):
                try:
                    await probe.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
        run = Bench(args, url_db, f"ws://127.0.0.1:{port}/graphql")
        results["throughput_without"] = await run.throughput(codes, [])
        results["throughput_with"] = await run.throughput(
            codes, _spread(tokens, codes, args.throughput_subscribers)
        )
        results["spread"] = await run.fan_out(codes, _spread(tokens, codes, args.subscribers))
        results["hot"] = await run.fan_out(
            [HAKUBA], _spread(tokens, [HAKUBA], args.hot_subscribers)
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return results


def _row(label: str, phase: Phase, wanted: int) -> str:
    refused = ", ".join(f"{count:,} {reason}" for reason, count in sorted(phase.refusals.items()))
    return (
        f"| {label} | {phase.held:,} of {wanted:,} | {phase.deliveries:,} of {phase.expected:,}"
        f" | {phase.p50_ms:.0f} ms | {phase.p99_ms:.0f} ms | {refused or 'none'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--places", type=int, default=1741)
    parser.add_argument("--hot-subscribers", type=int, default=40)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--throughput-subscribers", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    # Every socket is a file descriptor, in the server (which inherits this) and the client.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    r = asyncio.run(bench(args))
    ratio = r["throughput_with"] / r["throughput_without"]
    report = f"""# Real-time benchmark

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}; `bench/realtime.py --subscribers {args.subscribers}
--places {args.places} --hot-subscribers {args.hot_subscribers} --rate {args.rate:g}
--seconds {args.seconds:g} --throughput-subscribers {args.throughput_subscribers}
--commits {args.commits}` on {"PostgreSQL" if args.database_url else "SQLite"}. One server
worker; the subscribers in a second process and the writers in a third, all on the same 2 cores.

Dashboards spread: the subscribers watch {args.places} municipalities evenly and the events land on
them at random. One hot village: every subscriber watches the village that receives every event.
Latency runs from the event's `occurredAt` (taken in the writing transaction, before commit) to
its arrival at the subscriber.

| {args.rate:g} events/s for {args.seconds:g} s | subscribers held | deliveries | p50 | p99 (goal < 250 ms) | set-ups refused, then retried |
| --- | ---: | ---: | ---: | ---: | --- |
{_row("dashboards spread", r["spread"], args.subscribers)}
{_row("one hot village", r["hot"], args.hot_subscribers)}

| commit throughput | registrations/s |
| --- | ---: |
| no subscribers | {r["throughput_without"]:.1f} |
| {args.throughput_subscribers:,} subscribers attached | {r["throughput_with"]:.1f} |
| ratio with / without (goal >= 0.9) | {ratio:.2f} |
"""
    (ROOT / "bench" / "REPORT-realtime.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
