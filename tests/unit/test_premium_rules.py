"""Premium: each condition of RULES.md, the limit of three, the window, lapse and renewal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.activities import ActivityReport
from domain.certificates import CertificateStatus
from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.premium import DEFAULT_POLICY, PremiumStanding, premium_refusals
from domain.registrations import tier_at
from domain.tiers import Tier
from domain.vocabulary import ActivityKind
from services import activities, places, registrations
from tests.fakes import FakeUnitOfWork
from tests.unit.scenario import (
    AMA,
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    KAMIYAMA,
    NAGANO,
    NAGANO_CITY,
    join_all,
    live_in,
    person,
    premium_ready,
    register,
    staff,
    verified_activities,
)


def codes(refusal: pytest.ExceptionInfo[Refusal]) -> list[str]:
    return [p.code for p in refusal.value.problems]


@pytest.fixture
async def ready(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await join_all(uow, clock)
    await live_in(uow, person(), CHIYODA, clock)


@pytest.mark.usefixtures("ready")
async def test_premium_is_granted_for_a_year_with_a_premium_certificate(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    basic = registration.certificate
    granted = await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert granted.tier is Tier.PREMIUM
    assert granted.premium_until == clock.now().replace(year=2028)
    certificate = granted.certificate
    assert certificate is not None
    assert basic is not None
    assert (certificate.tier, certificate.status) == (Tier.PREMIUM, CertificateStatus.VALID)
    assert certificate.valid_until == granted.premium_until
    superseded = next(c for c in granted.certificates if c.id == basic.id)
    assert superseded.status is CertificateStatus.SUPERSEDED


@pytest.mark.usefixtures("ready")
async def test_identity_must_be_verified_with_the_my_number_card(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    unverified = person("ichiro", verified=False)
    await live_in(uow, unverified, CHIYODA, clock)
    registration = await premium_ready(uow, unverified, HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, unverified, registration.id, clock)
    assert codes(refusal) == ["IDENTITY_NOT_VERIFIED"]
    assert uow.committed.registrations[registration.id].tier is Tier.BASIC


@pytest.mark.usefixtures("ready")
async def test_a_later_verified_token_verifies_the_resident(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    unverified = person("ichiro", verified=False)
    await live_in(uow, unverified, CHIYODA, clock)
    registration = await premium_ready(uow, unverified, HAKUBA, clock)
    granted = await registrations.apply_for_premium(
        uow, person("ichiro", verified=True), registration.id, clock
    )
    assert granted.tier is Tier.PREMIUM


@pytest.mark.usefixtures("ready")
async def test_three_verified_activities_are_required(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await register(uow, person(), HAKUBA, clock)
    await verified_activities(uow, person(), HAKUBA, clock, [1, 2])
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]


@pytest.mark.usefixtures("ready")
async def test_pending_and_rejected_activities_do_not_count(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await register(uow, person(), HAKUBA, clock)
    await verified_activities(uow, person(), HAKUBA, clock, [1, 2])
    today = japan_date(clock.now())
    report = ActivityReport(HAKUBA, ActivityKind.VOLUNTEERING, today, 1.0, "")
    await activities.record(uow, person(), report, clock)
    rejected = await activities.record(uow, person(), report, clock)
    await activities.review(uow, staff(HAKUBA), rejected.id, False, "no", clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]


@pytest.mark.usefixtures("ready")
async def test_activities_for_another_place_do_not_count(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await register(uow, person(), HAKUBA, clock)
    await register(uow, person(), AMA, clock)
    await verified_activities(uow, person(), AMA, clock, [1, 2, 3])
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]


@pytest.mark.usefixtures("ready")
async def test_the_window_is_the_last_365_days(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    registration = await register(uow, person(), HAKUBA, clock)
    # 364 days ago is the first day of the window; 365 days ago has left it.
    await verified_activities(uow, person(), HAKUBA, clock, [364, 365, 400])
    await verified_activities(uow, person(), HAKUBA, clock, [0])
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]
    await verified_activities(uow, person(), HAKUBA, clock, [100])
    granted = await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert granted.tier is Tier.PREMIUM


@pytest.mark.usefixtures("ready")
async def test_the_municipality_policy_sets_count_window_and_kinds(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await places.set_premium_policy(uow, HAKUBA, 2, 30, [ActivityKind.PRIMARY_INDUSTRY_HELP])
    registration = await register(uow, person(), HAKUBA, clock)
    await verified_activities(uow, person(), HAKUBA, clock, [1, 2, 3])  # volunteering
    await verified_activities(
        uow, person(), HAKUBA, clock, [10, 40], kind=ActivityKind.PRIMARY_INDUSTRY_HELP
    )
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]
    await verified_activities(
        uow, person(), HAKUBA, clock, [29], kind=ActivityKind.PRIMARY_INDUSTRY_HELP
    )
    granted = await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert granted.tier is Tier.PREMIUM


@pytest.mark.parametrize(
    ("required", "window", "kinds", "fields"),
    [
        (0, 365, [ActivityKind.OTHER], ["requiredActivities"]),
        (101, 365, [ActivityKind.OTHER], ["requiredActivities"]),
        (3, 29, [ActivityKind.OTHER], ["windowDays"]),
        (3, 1096, [ActivityKind.OTHER], ["windowDays"]),
        (3, 365, [], ["eligibleActivityKinds"]),
        (0, 0, [], ["requiredActivities", "windowDays", "eligibleActivityKinds"]),
    ],
)
async def test_a_policy_out_of_bounds_is_refused_and_nothing_changes(
    uow: FakeUnitOfWork, required: int, window: int, kinds: list[ActivityKind], fields: list[str]
) -> None:
    with pytest.raises(Refusal) as refusal:
        await places.set_premium_policy(uow, HAKUBA, required, window, kinds)
    assert {p.code for p in refusal.value.problems} == {"INVALID_POLICY"}
    assert [p.field for p in refusal.value.problems] == fields
    assert uow.committed.policies == {}


@pytest.mark.usefixtures("ready")
async def test_premium_is_not_granted_by_the_home_municipality(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await live_in(uow, person(), HAKUBA, clock)
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["HOME_MUNICIPALITY"]


@pytest.mark.usefixtures("ready")
async def test_nor_by_the_home_prefecture(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await live_in(uow, person(), NAGANO_CITY, clock)
    prefecture = await premium_ready(uow, person(), NAGANO, clock)
    neighbour = await premium_ready(uow, person(), HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), prefecture.id, clock)
    assert codes(refusal) == ["HOME_MUNICIPALITY"]
    # Another municipality of the same prefecture is not home.
    granted = await registrations.apply_for_premium(uow, person(), neighbour.id, clock)
    assert granted.tier is Tier.PREMIUM


@pytest.mark.usefixtures("ready")
async def test_premium_needs_a_known_home(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    homeless = person("ichiro")
    registration = await premium_ready(uow, homeless, HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, homeless, registration.id, clock)
    assert codes(refusal) == ["HOME_MUNICIPALITY_UNKNOWN"]


@pytest.mark.usefixtures("ready")
async def test_at_most_three_premium_registrations_in_force(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    for code in (HAKUBA, HIGASHIKAWA, KAMIYAMA):
        registration = await premium_ready(uow, person(), code, clock)
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    fourth = await premium_ready(uow, person(), AMA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), fourth.id, clock)
    assert codes(refusal) == ["PREMIUM_LIMIT_REACHED"]
    assert uow.committed.registrations[fourth.id].tier is Tier.BASIC


@pytest.mark.usefixtures("ready")
async def test_renewing_one_of_three_is_not_limited(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    held = []
    for code in (HAKUBA, HIGASHIKAWA, KAMIYAMA):
        registration = await premium_ready(uow, person(), code, clock)
        held.append(await registrations.apply_for_premium(uow, person(), registration.id, clock))
    clock.advance(timedelta(days=300))
    await verified_activities(uow, person(), HAKUBA, clock, [1, 2, 3])
    renewed = await registrations.apply_for_premium(uow, person(), held[0].id, clock)
    assert renewed.premium_until == clock.now().replace(year=clock.now().year + 1)


@pytest.mark.usefixtures("ready")
async def test_a_withdrawn_premium_frees_its_place_in_the_limit(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    held = []
    for code in (HAKUBA, HIGASHIKAWA, KAMIYAMA):
        registration = await premium_ready(uow, person(), code, clock)
        held.append(await registrations.apply_for_premium(uow, person(), registration.id, clock))
    await registrations.withdraw_registration(uow, person(), held[0].id, clock)
    fourth = await premium_ready(uow, person(), AMA, clock)
    assert (
        await registrations.apply_for_premium(uow, person(), fourth.id, clock)
    ).tier is Tier.PREMIUM


@pytest.mark.usefixtures("ready")
async def test_a_withdrawn_registration_is_not_active(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    await registrations.withdraw_registration(uow, person(), registration.id, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REGISTRATION_NOT_ACTIVE"]


@pytest.mark.usefixtures("ready")
async def test_every_unmet_condition_is_reported(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    stranger = person("ichiro", verified=False)
    registration = await register(uow, stranger, HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, stranger, registration.id, clock)
    assert codes(refusal) == [
        "IDENTITY_NOT_VERIFIED",
        "REQUIREMENTS_NOT_MET",
        "HOME_MUNICIPALITY_UNKNOWN",
    ]


@pytest.mark.usefixtures("ready")
async def test_premium_lapses_after_a_year_and_the_certificate_follows(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    granted = await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert granted.premium_until is not None
    clock.set(granted.premium_until - timedelta(seconds=1))
    assert await registrations.lapse_due_premiums(uow, clock) == 0
    clock.set(granted.premium_until)
    assert await registrations.lapse_due_premiums(uow, clock) == 1
    lapsed = uow.committed.registrations[registration.id]
    assert lapsed.tier is Tier.BASIC
    premium_certificate = next(c for c in lapsed.certificates if c.tier is Tier.PREMIUM)
    assert premium_certificate.status is CertificateStatus.EXPIRED
    current = lapsed.certificate
    assert current is not None
    assert (current.tier, current.status, current.valid_until) == (
        Tier.BASIC,
        CertificateStatus.VALID,
        None,
    )
    assert await registrations.lapse_due_premiums(uow, clock) == 0


@pytest.mark.usefixtures("ready")
async def test_a_lapsed_premium_is_renewed_by_applying_again(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    registration = await premium_ready(uow, person(), HAKUBA, clock)
    await registrations.apply_for_premium(uow, person(), registration.id, clock)
    clock.advance(timedelta(days=400))
    await registrations.lapse_due_premiums(uow, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REQUIREMENTS_NOT_MET"]
    await verified_activities(uow, person(), HAKUBA, clock, [5, 6, 7])
    renewed = await registrations.apply_for_premium(uow, person(), registration.id, clock)
    assert renewed.tier is Tier.PREMIUM
    assert renewed.premium_in_force(clock.now())


def test_premium_in_force_ends_exactly_at_premium_until() -> None:
    until = datetime(2028, 2, 1, 3, tzinfo=UTC)
    assert tier_at(Tier.PREMIUM, until, until - timedelta(microseconds=1)) is Tier.PREMIUM
    assert tier_at(Tier.PREMIUM, until, until) is Tier.BASIC


def test_refusals_follow_the_order_of_the_rules() -> None:
    standing = PremiumStanding(
        registration_active=False,
        identity_verified=False,
        place_code=HAKUBA,
        home_municipality_code=HAKUBA,
        verified_activities=0,
        policy=DEFAULT_POLICY,
        other_premiums_in_force=3,
    )
    assert [p.code for p in premium_refusals(standing)] == [
        "IDENTITY_NOT_VERIFIED",
        "REQUIREMENTS_NOT_MET",
        "HOME_MUNICIPALITY",
        "PREMIUM_LIMIT_REACHED",
        "REGISTRATION_NOT_ACTIVE",
    ]
