"""What figures may be shown to whom: small counts identify people.

Anyone but a place's own staff sees a count of 1 to 9 as suppressed (RULES.md, Analytics).
Where counts are known to add up (parts of a breakdown to its total, municipalities and a
prefecture's own registrations to the prefecture's, prefectures to the nation's), one
suppressed count among them could be found by subtraction. So no such sum is left with
exactly one suppressed count: a second one, the smallest left, is suppressed with it, and the
sums that second one is in are looked at again, until none has one alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.statistics import UNKNOWN

SMALLEST_SHOWN = 10

# A count as (scope, cell name).
Count = tuple[str, str]


def is_small(count: int) -> bool:
    return 0 < count < SMALLEST_SHOWN


@dataclass(frozen=True)
class Sum:
    """`total` is the sum of `parts`, give or take their signs: one who knows all but one of
    them knows that one too."""

    total: Count
    parts: tuple[Count, ...]

    @property
    def counts(self) -> tuple[Count, ...]:
        return (self.total, *self.parts)


def suppress(
    values: Mapping[Count, int],
    sums: Sequence[Sum],
    *,
    printed: Callable[[Count], bool],
    hidden_with: Mapping[Count, Iterable[Count]],
) -> set[Count]:
    """The counts to suppress. Counts missing from `values` are 0. A count not `printed` (a
    prefecture's own registrations) is taken to be known unless it is small, and is chosen
    to hide only where no printed count can be. `hidden_with`: counts that a count's
    suppression suppresses too."""
    sums_with: defaultdict[Count, list[int]] = defaultdict(list)
    for index, a_sum in enumerate(sums):
        for count in a_sum.counts:
            sums_with[count].append(index)
    hidden: set[Count] = set()
    to_look_at: list[int] = []

    def hide(count: Count) -> None:
        pending = [count]
        while pending:
            one = pending.pop()
            # A count of nothing is printed as 0 whatever is decided: hiding it hides nothing.
            if one not in hidden and values.get(one, 0) > 0:
                hidden.add(one)
                to_look_at.extend(sums_with[one])
                pending.extend(hidden_with.get(one, ()))

    for count, value in values.items():
        if is_small(value):
            hide(count)
    while to_look_at:
        a_sum = sums[to_look_at.pop()]
        if sum(count in hidden for count in a_sum.counts) != 1:
            continue
        # Printed parts first, the smallest: the total is what a reader looks for.
        second = min(
            (
                (not printed(count), count == a_sum.total, values[count], count)
                for count in a_sum.counts
                if count not in hidden and values.get(count, 0) > 0
            ),
            default=None,
        )
        # None only where the sum is not exact (registrations less withdrawals, when
        # some ended otherwise): then nothing is found by subtraction either.
        if second is not None:
            hide(second[-1])
    return hidden


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
