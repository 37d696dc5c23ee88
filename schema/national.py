"""The nation's related population, in figures that never point at a person."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.overview import NationalOverview
from schema.statistics import FigureCount, MonthlyFigures
from schema.types import Ctx, Municipality, municipality


@strawberry.type
class PrefectureFigures:
    prefecture_code: strawberry.Private[str]
    registrations: int | None
    unique_residents: int | None
    premium: int | None = strawberry.field(description="Premium registrations.")

    @strawberry.field
    async def prefecture(self, info: Ctx) -> Municipality:
        return await municipality(info, self.prefecture_code)


@strawberry.type(
    description="The nation's related population, toward 10 million persons and 100 million"
    " registrations by fiscal 2034. Counts from 1 to 9 are suppressed (null), and so are"
    " others where a sum would give one of those back."
)
class NationalStats:
    unique_residents: int | None = strawberry.field(description="Persons (実人数).")
    total_registrations: int | None = strawberry.field(description="Registrations (延べ人数).")
    premium_registrations: int | None
    participating_municipalities: int = strawberry.field(
        description="Municipalities (not prefectures) using the platform today."
    )
    by_prefecture: list[PrefectureFigures]
    registrations_per_resident: list[FigureCount] = strawberry.field(
        description="Persons by how many places they are registered with."
    )
    monthly: list[MonthlyFigures]
    new_last_30_days: int | None = strawberry.field(
        description="Registrations made in the last 30 days, today included."
    )
    premium_conversion_rate: float | None = strawberry.field(
        description="Persons premium somewhere over persons registered."
    )
    by_relationship: list[FigureCount] = strawberry.field(description="Registrations.")
    by_home_prefecture: list[FigureCount] = strawberry.field(description="Persons.")
    by_age_band: list[FigureCount] = strawberry.field(description="Persons.")
    by_interest: list[FigureCount] = strawberry.field(description="Registrations.")
    as_of: datetime | None = strawberry.field(
        description="The publication these figures are from; null before the first."
    )

    @classmethod
    def of(cls, overview: NationalOverview) -> NationalStats:
        return cls(
            unique_residents=overview.unique_residents,
            total_registrations=overview.total_registrations,
            premium_registrations=overview.premium_registrations,
            participating_municipalities=overview.participating_municipalities,
            by_prefecture=[
                PrefectureFigures(
                    prefecture_code=line.prefecture_code,
                    registrations=line.registrations,
                    unique_residents=line.unique_residents,
                    premium=line.premium,
                )
                for line in overview.by_prefecture
            ],
            registrations_per_resident=FigureCount.list_of(
                overview.as_a_place.registrations_per_resident
            ),
            monthly=MonthlyFigures.list_of(overview.as_a_place.monthly),
            new_last_30_days=overview.as_a_place.new_last_30_days,
            premium_conversion_rate=overview.as_a_place.premium_conversion_rate,
            by_relationship=FigureCount.list_of(overview.as_a_place.by_relationship),
            by_home_prefecture=FigureCount.list_of(overview.as_a_place.by_home_prefecture),
            by_age_band=FigureCount.list_of(overview.as_a_place.by_age_band),
            by_interest=FigureCount.list_of(overview.as_a_place.by_interest),
            as_of=overview.as_a_place.as_of,
        )
