"""Places people register with, and their participation in the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import Refusal

# Places that start using the platform by the end of fiscal 2027 are early adopters.
EARLY_ADOPTER_DEADLINE = date(2028, 3, 31)


class PlaceKind(StrEnum):
    PREFECTURE = "PREFECTURE"
    CITY = "CITY"
    TOWN = "TOWN"
    VILLAGE = "VILLAGE"
    SPECIAL_WARD = "SPECIAL_WARD"


@dataclass(frozen=True)
class Participation:
    municipality_code: str
    agreed_on: date
    starts_on: date

    @property
    def early_adopter(self) -> bool:
        return self.starts_on <= EARLY_ADOPTER_DEADLINE

    def in_use_on(self, day: date) -> bool:
        return self.starts_on <= day


def participation(municipality_code: str, agreed_on: date, starts_on: date) -> Participation:
    if starts_on < agreed_on:
        raise Refusal(
            "INVALID_DATES", "use cannot start before the terms of use are agreed", "startsOn"
        )
    return Participation(municipality_code, agreed_on, starts_on)


def unknown_place(field: str = "municipalityCode") -> Refusal:
    return Refusal("MUNICIPALITY_NOT_FOUND", "no local government has this code", field)


def is_participating(record: Participation | None, day: date) -> bool:
    return record is not None and record.in_use_on(day)
