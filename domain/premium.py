"""Premium registration (プレミアム登録): each municipality's policy and who qualifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain import municipality_code
from domain.errors import Problem, Refusal
from domain.vocabulary import ActivityKind

DEFAULT_REQUIRED_ACTIVITIES = 3
DEFAULT_WINDOW_DAYS = 365
MAX_PREMIUM_REGISTRATIONS = 3
REQUIRED_ACTIVITIES_RANGE = range(1, 101)
WINDOW_DAYS_RANGE = range(30, 1096)


@dataclass(frozen=True)
class PremiumPolicy:
    required_activities: int = DEFAULT_REQUIRED_ACTIVITIES
    window_days: int = DEFAULT_WINDOW_DAYS
    eligible_activity_kinds: tuple[ActivityKind, ...] = tuple(ActivityKind)

    def window_start(self, today: date) -> date:
        """The first day that counts: the last `window_days` days end today."""
        return today - timedelta(days=self.window_days - 1)

    def verified_activities(self, verified: list[tuple[ActivityKind, date]], today: date) -> int:
        """How many count: of an eligible kind, on a day within the window."""
        start, kinds = self.window_start(today), self.eligible_activity_kinds
        return sum(1 for kind, day in verified if kind in kinds and start <= day)


DEFAULT_POLICY = PremiumPolicy()


def premium_policy(
    required_activities: int, window_days: int, eligible_activity_kinds: list[ActivityKind]
) -> PremiumPolicy:
    problems: list[Problem] = []
    if required_activities not in REQUIRED_ACTIVITIES_RANGE:
        problems.append(
            Problem(
                "INVALID_POLICY",
                "required activities are between 1 and 100",
                "requiredActivities",
            )
        )
    if window_days not in WINDOW_DAYS_RANGE:
        problems.append(
            Problem("INVALID_POLICY", "the window is between 30 and 1095 days", "windowDays")
        )
    if not eligible_activity_kinds:
        problems.append(
            Problem(
                "INVALID_POLICY",
                "at least one activity kind must count",
                "eligibleActivityKinds",
            )
        )
    if problems:
        raise Refusal.of(problems)
    kinds = tuple(kind for kind in ActivityKind if kind in set(eligible_activity_kinds))
    return PremiumPolicy(required_activities, window_days, kinds)


@dataclass(frozen=True)
class PremiumStanding:
    """Everything the premium conditions look at, gathered for one registration."""

    registration_active: bool
    identity_verified: bool
    place_code: str
    home_municipality_code: str | None
    verified_activities: int
    policy: PremiumPolicy
    other_premiums_in_force: int


HeldRegistration = tuple[object, bool]


def standing_for(
    *,
    registration_id: object,
    registration_active: bool,
    place_code: str,
    identity_verified: bool,
    home_municipality_code: str | None,
    verified: list[tuple[ActivityKind, date]],
    policy: PremiumPolicy,
    premiums_in_force: list[HeldRegistration],
    today: date,
) -> PremiumStanding:
    """The standing of one registration; `premiums_in_force` pairs each of the person's
    registrations (by id) with whether its premium is in force now."""
    return PremiumStanding(
        registration_active=registration_active,
        identity_verified=identity_verified,
        place_code=place_code,
        home_municipality_code=home_municipality_code,
        verified_activities=policy.verified_activities(verified, today),
        policy=policy,
        other_premiums_in_force=sum(
            1 for held_id, in_force in premiums_in_force if in_force and held_id != registration_id
        ),
    )


def is_home(place_code: str, home_municipality_code: str) -> bool:
    """A person's home prefecture is home too: premium is for places one lives away from."""
    if municipality_code.is_prefecture(place_code):
        return municipality_code.prefecture_of(home_municipality_code) == place_code
    return place_code == home_municipality_code


def premium_refusals(standing: PremiumStanding) -> list[Problem]:
    """Every premium condition not met now, in the order RULES.md lists them."""
    problems: list[Problem] = []
    if not standing.identity_verified:
        problems.append(
            Problem(
                "IDENTITY_NOT_VERIFIED",
                "premium needs an identity verified with the My Number Card",
            )
        )
    if standing.verified_activities < standing.policy.required_activities:
        problems.append(
            Problem(
                "REQUIREMENTS_NOT_MET",
                f"{standing.verified_activities} of {standing.policy.required_activities} "
                f"verified activities in the last {standing.policy.window_days} days",
            )
        )
    if standing.home_municipality_code is None:
        problems.append(
            Problem(
                "HOME_MUNICIPALITY_UNKNOWN",
                "premium needs your home municipality in your profile",
                "homeMunicipalityCode",
            )
        )
    elif is_home(standing.place_code, standing.home_municipality_code):
        problems.append(
            Problem("HOME_MUNICIPALITY", "premium is not granted by the place you live in")
        )
    if standing.other_premiums_in_force >= MAX_PREMIUM_REGISTRATIONS:
        problems.append(
            Problem(
                "PREMIUM_LIMIT_REACHED",
                f"at most {MAX_PREMIUM_REGISTRATIONS} premium registrations are in force at once",
            )
        )
    if not standing.registration_active:
        problems.append(Problem("REGISTRATION_NOT_ACTIVE", "the registration has been withdrawn"))
    return problems


def check_premium(standing: PremiumStanding) -> None:
    problems = premium_refusals(standing)
    if problems:
        raise Refusal.of(problems)
