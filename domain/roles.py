"""Who is acting: the roles of RULES.md and the reach of each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain import municipality_code


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    ANALYST = "analyst"
    PARTNER = "partner"
    INTEGRATION = "integration"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as the identity provider vouched for them."""

    subject: str
    role: Role
    municipality_code: str | None = None
    partner_id: str | None = None
    identity_verified: bool = False
    name: str | None = None
    birth_year: int | None = None

    def governs(self, place_code: str) -> bool:
        """Staff decide for their own place only: reviews and policy stay with the place."""
        return self.role is Role.STAFF and self.municipality_code == place_code

    def administers(self, place_code: str) -> bool:
        """Staff see their own place; prefecture staff also its municipalities."""
        if self.role is not Role.STAFF or self.municipality_code is None:
            return False
        if place_code == self.municipality_code:
            return True
        return (
            municipality_code.is_prefecture(self.municipality_code)
            and municipality_code.prefecture_of(place_code) == self.municipality_code
        )

    def integrates(self, place_code: str) -> bool:
        """A municipality's own system imports its own records, for that place only."""
        return self.role is Role.INTEGRATION and self.municipality_code == place_code

    def sees_imports_of(self, place_code: str) -> bool:
        """What became of a place's imports: its integration and its staff."""
        return self.integrates(place_code) or self.administers(place_code)

    def sees_figures_of(self, place_code: str) -> bool:
        """A place's figures: its staff (and its prefecture's) and national analysts."""
        return self.role is Role.ANALYST or self.administers(place_code)

    def sees_small_counts_of(self, place_code: str) -> bool:
        """Only a place's own staff see its counts below ten as they are."""
        return self.governs(place_code)

    @property
    def sees_national_figures(self) -> bool:
        return self.role in (Role.ANALYST, Role.STAFF, Role.OPERATOR)
