"""What figures may be shown to whom: small counts identify people.

Anyone but a place's own staff sees a count of 1 to 9 as suppressed (RULES.md, Analytics).
Where the parts of a breakdown add up to a total that is shown, one suppressed part could be
recovered by subtraction; so a second part, the smallest one left, is suppressed with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.statistics import UNKNOWN

SMALLEST_SHOWN = 10


def shown(count: int) -> int | None:
    """A count on its own: None when it is small enough to point at someone."""
    return None if 0 < count < SMALLEST_SHOWN else count


def breakdown(counts: Mapping[str, int], *, adds_up: bool) -> dict[str, int | None]:
    """Each part shown or suppressed. `adds_up`: the parts sum to a total shown beside them."""
    disclosed = {key: shown(count) for key, count in counts.items()}
    hidden = [key for key, count in disclosed.items() if count is None]
    if adds_up and len(hidden) == 1:
        others = sorted(
            (count, key) for key, count in disclosed.items() if count is not None and count > 0
        )
        if others:
            disclosed[others[0][1]] = None
    return disclosed


def ratio(part: int | None, whole: int | None) -> float | None:
    """None only when a count it comes from is suppressed; nothing of nothing is 0."""
    if part is None or whole is None:
        return None
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class AgeBand:
    key: str
    youngest: int | None
    oldest: int | None


AGE_BANDS = (
    AgeBand("UNDER_20", None, 19),
    *(AgeBand(f"{decade}S", decade, decade + 9) for decade in range(20, 70, 10)),
    AgeBand("70_AND_OVER", 70, None),
    AgeBand(UNKNOWN, None, None),
)


def age_band(birth_year: int | None, today: date) -> str:
    """The band of the age a person reaches this year: the birthday itself is not known."""
    if birth_year is None:
        return UNKNOWN
    age = today.year - birth_year
    for band in AGE_BANDS:
        if band.key == UNKNOWN:
            continue
        if (band.youngest is None or age >= band.youngest) and (
            band.oldest is None or age <= band.oldest
        ):
            return band.key
    return UNKNOWN
