"""Time as the scheme sees it: instants in UTC, calendar days in Japan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Protocol

# Japan has no daylight saving time, so a fixed offset is exact and needs no tz database.
JST = timezone(timedelta(hours=9), "JST")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that tests move by hand."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, by: timedelta) -> None:
        self._at += by


def japan_date(at: datetime) -> date:
    return at.astimezone(JST).date()


def start_of_japan_day(day: date) -> datetime:
    """The first moment of a day on Japan's calendar."""
    return datetime.combine(day, time(), JST)


def one_year_after(at: datetime) -> datetime:
    """The same time of day a year later on Japan's calendar (29 February falls back to the
    28th), as an instant in UTC."""
    local = at.astimezone(JST)
    try:
        later = local.replace(year=local.year + 1)
    except ValueError:
        later = local.replace(year=local.year + 1, day=28)
    return later.astimezone(UTC)
