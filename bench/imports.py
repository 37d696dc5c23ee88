"""Importing a municipal list: rows per second for a file of 1M registrants, next to a bare
COPY of the same rows, in one run.

    .venv/bin/python bench/imports.py [--rows 1000000] [--changed 1000]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Makes a database of its own on the PostgreSQL server and a CSV file (UTF-8, the Japanese
headers of the layout) under var/bench/. Then, one after the other on the same server:
- bare COPY: the file read with the csv module and its rows copied as text, as they are, into
  a table of seven text columns (no checks, no keys, no certificates, no figures);
- the import (`services.imports.import_list`, what `furusato import` runs): the file decoded,
  every row checked, a person, a registration and a certificate written for each, the figures
  and the municipality's index of keys kept, in one transaction;
- the same file again (every row unchanged: nothing is written);
- the file with `--changed` rows edited (those rows are updated one by one, with their figures).
Writes bench/REPORT-imports.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import platform
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import add_server_argument, recreate  # noqa: E402
from domain import municipality_code  # noqa: E402
from domain.clock import SystemClock, japan_date  # noqa: E402
from domain.imports import (  # noqa: E402
    INTEREST_LABELS,
    RELATIONSHIP_LABELS,
    ImportKind,
    RowOutcome,
)
from municipal_lists.reading import read_list  # noqa: E402
from persistence import migrate  # noqa: E402
from persistence.audit import Audit  # noqa: E402
from persistence.database import Database, connect  # noqa: E402
from persistence.master_data import shipped  # noqa: E402
from persistence.unit_of_work import SqlUnitOfWork  # noqa: E402
from services import places  # noqa: E402
from services.imports import import_list  # noqa: E402

DATABASE = "furusato_bench_imports"
# 横浜市: the largest municipality.
PLACE = "141003"
HEADER = ["外部ID", "氏名", "生年", "住所地コード", "関係", "関心", "登録日"]


def _rows(count: int, changed: int, seed: int = 2027) -> list[list[str]]:
    chance = random.Random(seed)  # noqa: S311  (repeatable data, no secret)
    homes = [p.code for p in shipped() if not municipality_code.is_prefecture(p.code)]
    relationships = list(RELATIONSHIP_LABELS)
    interests = list(INTEREST_LABELS)
    today = japan_date(SystemClock().now())
    rows = []
    for n in range(count):
        rows.append(
            [
                f"Y-{n:07d}",
                f"登録者 {n}",
                str(chance.randrange(1940, 2010)) if chance.random() > 0.05 else "",
                chance.choice(homes),
                chance.choice(relationships),
                ";".join(chance.sample(interests, chance.choice((0, 1, 1, 2)))),
                (today - timedelta(days=chance.randrange(1, 900))).isoformat(),
            ]
        )
    for n in range(changed):
        rows[n * (count // max(changed, 1))][4] = "その他"
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _bare_copy(url: str, content: bytes) -> float:
    """The floor: the same rows parsed and copied as text, nothing else."""
    started = time.perf_counter()
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    next(reader)
    with psycopg.connect(url) as connection:
        connection.execute(
            "CREATE TABLE bare_copy (external_id text, name text, birth_year text, home text,"
            " relationship text, interests text, registered_on text)"
        )
        with connection.cursor() as cursor, cursor.copy("COPY bare_copy FROM STDIN") as copy:
            for row in reader:
                copy.write_row(row)
        connection.commit()
    return time.perf_counter() - started


def _statement_times(database: Database) -> Counter[str]:
    """Seconds spent in each kind of statement (INSERT INTO <table>, ...), as they run."""
    spent: Counter[str] = Counter()

    def before(_conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
        _conn.info["started"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        kind = " ".join(words[:3]) if words[:2] == ["INSERT", "INTO"] else words[0]
        spent[kind] += time.perf_counter() - conn.info.pop("started")

    event.listen(database.write_engine.sync_engine, "before_cursor_execute", before)
    event.listen(database.write_engine.sync_engine, "after_cursor_execute", after)
    return spent


async def _import(url: str, content: bytes) -> tuple[float, dict[RowOutcome, int], Counter[str]]:
    database = connect(url)
    spent = _statement_times(database)
    try:
        started = time.perf_counter()
        source, _ = read_list("bench.csv", content)
        job, _ = await import_list(
            SqlUnitOfWork(database, Audit.system("import")),
            SystemClock(),
            "system:bench",
            ImportKind.REGISTRATIONS,
            PLACE,
            source,
        )
        return time.perf_counter() - started, dict(job.outcomes), spent
    finally:
        await database.dispose()


async def _prepare(url: str) -> None:
    migrate.upgrade(url)
    database = connect(url)
    try:
        await migrate.load_master_data(database)
        today = japan_date(SystemClock().now())
        await places.join_platform(SqlUnitOfWork(database), PLACE, today, today)
    finally:
        await database.dispose()


def _line(name: str, rows: int, seconds: float, floor: float, outcomes: str) -> str:
    return (
        f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {seconds / floor:.1f} |"
        f" {outcomes} |"
    )


def _outcomes(found: dict[RowOutcome, int]) -> str:
    return ", ".join(f"{count:,} {outcome.value.lower()}" for outcome, count in found.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=1_000)
    add_server_argument(parser)
    args = parser.parse_args()
    url = recreate(args.postgres_url, DATABASE)
    sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    asyncio.run(_prepare(sqlalchemy_url))

    rows = _rows(args.rows, 0)
    content = _csv(rows)
    edited = _csv(_rows(args.rows, args.changed))
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "import.csv").write_bytes(content)
    print(f"{args.rows:,} rows, {len(content) / 1e6:.1f} MB", flush=True)

    floor = _bare_copy(url, content)
    print(f"bare COPY: {floor:.2f} s", flush=True)
    first, first_outcomes, spent = asyncio.run(_import(sqlalchemy_url, content))
    print(f"import: {first:.2f} s {first_outcomes}", flush=True)
    again, again_outcomes, _ = asyncio.run(_import(sqlalchemy_url, content))
    print(f"again: {again:.2f} s {again_outcomes}", flush=True)
    changed, changed_outcomes, _ = asyncio.run(_import(sqlalchemy_url, edited))
    print(f"changed: {changed:.2f} s {changed_outcomes}", flush=True)
    in_statements = sum(spent.values())

    report = [
        "# Importing a municipal list (bench/imports.py)",
        "",
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()},"
        f" PostgreSQL on the same machine; one file of {args.rows:,} registrants"
        f" ({len(content) / 1e6:.0f} MB, UTF-8 CSV, Japanese headers), one run, side by side.",
        "",
        "| run | rows | seconds | rows/s | x bare COPY | outcomes |",
        "|---|---:|---:|---:|---:|---|",
        _line("bare COPY (parse, copy as text)", args.rows, floor, floor, "-"),
        _line("import (new list)", args.rows, first, floor, _outcomes(first_outcomes)),
        _line("same file again", args.rows, again, floor, _outcomes(again_outcomes)),
        _line(
            f"{args.changed:,} rows changed", args.rows, changed, floor, _outcomes(changed_outcomes)
        ),
        "",
        "Goal: at least 100,000 rows/s parsed, checked and merged, idempotent.",
        "",
        "Where the new list's time went (statements as the database ran them; the COPY into the"
        " staging table and the Python checks are the rest):",
        "",
        "| statement | seconds | share |",
        "|---|---:|---:|",
        *[
            f"| {kind} | {seconds:.2f} | {seconds / first:.0%} |"
            for kind, seconds in spent.most_common()
            if seconds >= 0.01 * first
        ],
        f"| everything else (reading, checks, COPY) | {first - in_statements:.2f} |"
        f" {(first - in_statements) / first:.0%} |",
        "",
    ]
    (ROOT / "bench" / "REPORT-imports.md").write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
