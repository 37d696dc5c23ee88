"""The 6-digit local government code (全国地方公共団体コード, JIS X 0402) and its check digit."""

from __future__ import annotations

from functools import lru_cache

from domain.errors import InvalidInput

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid(code: str) -> bool:
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:5]) == int(code[5])
    )


def parse(code: str, field: str = "municipalityCode") -> str:
    """The code itself when it is well formed; InvalidInput otherwise."""
    if not is_valid(code):
        raise InvalidInput(
            f"{code!r} is not a local government code: 6 digits with a valid check digit",
            field=field,
        )
    return code


# Bounded: codes come from outside too.
@lru_cache(maxsize=4096)
def prefecture_of(code: str) -> str:
    """Every code starts with its prefecture's two digits; a prefecture's own is PP0000 + check."""
    first_five = code[:2] + "000"
    return first_five + str(check_digit(first_five))


def is_prefecture(code: str) -> bool:
    return code[2:5] == "000"


PREFECTURES = tuple(prefecture_of(f"{number:02d}") for number in range(1, 48))
