"""Related population in figures: the parts of a place's dashboard."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.overview import Cells, Month, PlaceOverview


@strawberry.type(description="One part of a breakdown.")
class FigureCount:
    key: str
    count: int | None = strawberry.field(
        description="Null when suppressed: a count from 1 to 9 shown to anyone but the place's"
        " own staff, or a second part hidden so that the first cannot be found by subtraction."
    )
    suppressed: bool

    @classmethod
    def list_of(cls, cells: Cells) -> list[FigureCount]:
        return [cls(key=key, count=count, suppressed=count is None) for key, count in cells.items()]


@strawberry.type(description="What happened in one month (YYYY-MM, Japan's calendar).")
class MonthlyFigures:
    month: str
    registrations: int | None
    withdrawals: int | None
    premium_grants: int | None
    verified_activities: int | None

    @classmethod
    def list_of(cls, months: list[Month]) -> list[MonthlyFigures]:
        return [
            cls(
                month=m.month,
                registrations=m.registrations,
                withdrawals=m.withdrawals,
                premium_grants=m.premium_grants,
                verified_activities=m.verified_activities,
            )
            for m in months
        ]


@strawberry.type(
    description="A place's related population. A prefecture's counts its own registrants and"
    " its municipalities', each person once. Null figures are suppressed (see FigureCount)."
)
class PlaceStats:
    registrants: int | None = strawberry.field(description="Persons (実人数) registered now.")
    basic: int | None = strawberry.field(description="Registrants whose best tier here is basic.")
    premium: int | None = strawberry.field(description="Registrants premium here.")
    registrations: int | None = strawberry.field(
        description="Active registrations (延べ人数): a prefecture's may count a person twice."
    )
    premium_registrations: int | None = strawberry.field(
        description="Active registrations that are premium."
    )
    new_last_30_days: int | None = strawberry.field(
        description="Registrations made in the last 30 days, today included."
    )
    premium_conversion_rate: float | None = strawberry.field(
        description="Premium registrants over registrants."
    )
    by_relationship: list[FigureCount] = strawberry.field(description="Registrations.")
    by_home_prefecture: list[FigureCount] = strawberry.field(
        description="Registrants by the prefecture code of their home; UNKNOWN when not given."
    )
    by_age_band: list[FigureCount] = strawberry.field(
        description="Registrants by the age they reach this year (from birth year)."
    )
    by_interest: list[FigureCount] = strawberry.field(
        description="Registrations naming each interest (one may name several, or none)."
    )
    registrations_per_resident: list[FigureCount] = strawberry.field(
        description="Registrants by how many places they are registered with, anywhere."
    )
    monthly: list[MonthlyFigures]
    as_of: datetime | None = strawberry.field(
        description="When these figures were read: now for the place's own staff; for everyone"
        " else the last publication, made every few minutes for all places together so that"
        " nothing suppressed can be found by subtracting one place from another. Null before"
        " the first."
    )

    @classmethod
    def of(cls, overview: PlaceOverview) -> PlaceStats:
        return cls(
            registrants=overview.registrants,
            basic=overview.basic,
            premium=overview.premium,
            registrations=overview.registrations,
            premium_registrations=overview.premium_registrations,
            new_last_30_days=overview.new_last_30_days,
            premium_conversion_rate=overview.premium_conversion_rate,
            by_relationship=FigureCount.list_of(overview.by_relationship),
            by_home_prefecture=FigureCount.list_of(overview.by_home_prefecture),
            by_age_band=FigureCount.list_of(overview.by_age_band),
            by_interest=FigureCount.list_of(overview.by_interest),
            registrations_per_resident=FigureCount.list_of(overview.registrations_per_resident),
            monthly=MonthlyFigures.list_of(overview.monthly),
            as_of=overview.as_of,
        )
