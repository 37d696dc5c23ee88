"""Parsing what clients send: codes, global IDs, cursors and page sizes."""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

from domain import municipality_code
from domain.errors import InvalidInput
from resolvers.errors import BAD_USER_INPUT, coded_error

MAX_PAGE = 100
DEFAULT_PAGE = 20


def code(value: str, field: str = "municipalityCode") -> str:
    try:
        return municipality_code.parse(value, field)
    except InvalidInput as error:
        raise coded_error(str(error), BAD_USER_INPUT, field) from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise coded_error(f"first is between 0 and {MAX_PAGE}", BAD_USER_INPUT, "first")
    return first


def global_id(type_name: str, node_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{node_id}".encode()).decode().rstrip("=")


def parse_global_id(value: str, field: str) -> tuple[str, uuid.UUID]:
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, raw = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        return type_name, uuid.UUID(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise coded_error(
            f"{value!r} is not an ID of this platform", BAD_USER_INPUT, field
        ) from None


def id_of(type_name: str, value: str, field: str) -> uuid.UUID:
    found, node_id = parse_global_id(value, field)
    if found != type_name:
        raise coded_error(f"{field} takes the ID of a {type_name}", BAD_USER_INPUT, field)
    return node_id


def cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def cursor_parts(value: str, count: int) -> list[str]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        parts = None
    if not (
        isinstance(parts, list) and len(parts) == count and all(isinstance(p, str) for p in parts)
    ):
        raise coded_error("after is not a cursor this list gave out", BAD_USER_INPUT, "after")
    return parts


def code_cursor(value: str | None) -> str | None:
    return None if value is None else cursor_parts(value, 1)[0]


def id_cursor(value: str | None) -> int | None:
    """A cursor of a list in the order rows were added (the audit log)."""
    if value is None:
        return None
    (number,) = cursor_parts(value, 1)
    if not number.isdigit():
        raise coded_error("after is not a cursor this list gave out", BAD_USER_INPUT, "after")
    return int(number)


# A time cursor counts microseconds from PostgreSQL's own epoch: a compiled statement writes
# it from the column's binary form (timestamptz_send) without formatting an instant per row.
_CURSOR_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TIME_CURSOR_LENGTH = 48


def time_cursor_of(at: datetime, node_id: uuid.UUID) -> str:
    """The cursor of a row of a list in time order: its instant and its id, in hex."""
    micros = (at - _CURSOR_EPOCH) // _MICROSECOND
    return (micros.to_bytes(8, "big", signed=True) + node_id.bytes).hex()


def time_cursor(value: str | None) -> tuple[datetime, uuid.UUID] | None:
    if value is None:
        return None
    try:
        # fromhex skips spaces: the length first, so that one cursor has one spelling.
        raw = bytes.fromhex(value) if len(value) == _TIME_CURSOR_LENGTH else b""
        micros = int.from_bytes(raw[:8], "big", signed=True)
        instant = _CURSOR_EPOCH + micros * _MICROSECOND if len(raw) == 24 else None
    except (ValueError, OverflowError):
        instant = None
    if instant is None:
        raise coded_error("after is not a cursor this list gave out", BAD_USER_INPUT, "after")
    return instant, uuid.UUID(bytes=raw[8:])


SEARCH_MAX = 50
_KATAKANA = range(ord("ァ"), ord("ヶ") + 1)
_TO_HIRAGANA = ord("ぁ") - ord("ァ")


def search_text(text: str) -> tuple[str, str]:
    """What people type to find a place, as (name, reading): full- and half-width alike, and
    for the reading katakana as hiragana (the master data keeps readings in hiragana, while
    names such as 南アルプス市 are written in katakana)."""
    if len(text) > SEARCH_MAX:
        raise coded_error(f"a search has at most {SEARCH_MAX} characters", BAD_USER_INPUT, "search")
    name = unicodedata.normalize("NFKC", text)
    reading = "".join(chr(ord(c) + _TO_HIRAGANA) if ord(c) in _KATAKANA else c for c in name)
    return name, reading
