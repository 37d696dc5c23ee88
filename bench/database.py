"""The PostgreSQL database each benchmark makes for itself on the server it is given."""

from __future__ import annotations

import argparse
import os

import psycopg


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "FURUSATO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database of the server to make the benchmark's own from",
    )


def recreate(server_url: str, name: str) -> str:
    """The URL of a fresh, empty database `name` on that server (any old one is dropped,
    whoever is still connected to it)."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"
