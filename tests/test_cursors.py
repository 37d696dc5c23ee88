"""Cursors of lists in time order: the instant (microseconds from 2000-01-01, as PostgreSQL
counts them) and the row's id, in hex; the compiled Registrants writes the same in SQL
(tests/integration/test_compiled_operations.py pages through both)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from graphql import GraphQLError

from resolvers import inputs

ROW = uuid.UUID("0193a0d2-7c1e-7abc-8def-0123456789ab")


def test_a_cursor_is_the_microseconds_and_the_id_in_hex() -> None:
    at = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    assert inputs.time_cursor_of(at, ROW) == "0000000000000001" + ROW.hex


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 12, 5, 8, 30, 15, 123456, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        # An instant told in Japan's time is the same instant.
        datetime(2026, 12, 6, 2, 30, tzinfo=timezone(timedelta(hours=9))),
    ],
)
def test_a_cursor_gives_back_its_instant_and_id(at: datetime) -> None:
    assert inputs.time_cursor(inputs.time_cursor_of(at, ROW)) == (at, ROW)


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "not a cursor",
        "zz" * 24,
        # 24 bytes to bytes.fromhex, which skips spaces: one cursor has one spelling.
        "00 " * 24,
        "00" * 25,
        "00" * 23,
        # Microseconds past any instant Python can hold.
        "7fffffffffffffff" + ROW.hex,
    ],
)
def test_anything_else_is_bad_user_input(sent: str) -> None:
    with pytest.raises(GraphQLError) as refused:
        inputs.time_cursor(sent)
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "after"}


def test_no_cursor_is_the_first_page() -> None:
    assert inputs.time_cursor(None) is None
