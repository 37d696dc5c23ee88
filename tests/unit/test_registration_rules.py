"""Registration, withdrawal and participation, on the in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.certificates import CertificateStatus
from domain.clock import FixedClock, japan_date
from domain.errors import Refusal
from domain.registrations import RegistrationStatus
from domain.roles import Actor, Role
from domain.tiers import Tier
from domain.vocabulary import Interest, Relationship
from services import places, registrations
from tests.fakes import FakeUnitOfWork
from tests.unit.scenario import (
    HAKUBA,
    NAGANO,
    NOT_PARTICIPATING,
    day,
    join_all,
    person,
    register,
)


def codes(refusal: pytest.ExceptionInfo[Refusal]) -> list[str]:
    return [p.code for p in refusal.value.problems]


async def test_basic_registration_issues_a_basic_certificate_at_once(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    registration = await registrations.register_with(
        uow, person(), HAKUBA, Relationship.TOURISM, [Interest.EVENTS, Interest.EVENTS], clock
    )
    assert registration.tier is Tier.BASIC
    assert registration.status is RegistrationStatus.ACTIVE
    assert registration.interests == (Interest.EVENTS,)
    certificate = registration.certificate
    assert certificate is not None
    assert (certificate.tier, certificate.status) == (Tier.BASIC, CertificateStatus.VALID)
    assert certificate.issued_at == clock.now()
    assert certificate.serial_number.startswith("FR-")
    assert registration.id in uow.committed.registrations


async def test_a_place_that_does_not_take_part_refuses(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    with pytest.raises(Refusal) as refusal:
        await register(uow, person(), NOT_PARTICIPATING, clock)
    assert codes(refusal) == ["MUNICIPALITY_NOT_PARTICIPATING"]


async def test_participation_counts_from_the_day_use_starts(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    today = japan_date(clock.now())
    record = await places.join_platform(uow, HAKUBA, today, today + timedelta(days=1))
    assert record.early_adopter
    with pytest.raises(Refusal) as refusal:
        await register(uow, person(), HAKUBA, clock)
    assert codes(refusal) == ["MUNICIPALITY_NOT_PARTICIPATING"]
    clock.advance(timedelta(days=1))
    assert (await register(uow, person(), HAKUBA, clock)).active


async def test_early_adopters_start_by_the_end_of_fiscal_2027(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    on_time = await places.join_platform(uow, HAKUBA, day("2027-01-01"), day("2028-03-31"))
    late = await places.join_platform(uow, NAGANO, day("2027-01-01"), day("2028-04-01"))
    assert on_time.early_adopter
    assert not late.early_adopter


async def test_use_cannot_start_before_agreement(uow: FakeUnitOfWork) -> None:
    with pytest.raises(Refusal) as refusal:
        await places.join_platform(uow, HAKUBA, day("2027-02-01"), day("2027-01-31"))
    assert codes(refusal) == ["INVALID_DATES"]
    assert uow.committed.participations == {}


async def test_an_unknown_place_is_not_found(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    with pytest.raises(Refusal) as refusal:
        await places.join_platform(uow, "999997", day("2027-01-01"), day("2027-01-01"))
    assert codes(refusal) == ["MUNICIPALITY_NOT_FOUND"]


async def test_one_active_registration_per_person_and_place(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    first = await register(uow, person(), HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await register(uow, person(), HAKUBA, clock)
    assert codes(refusal) == ["ALREADY_REGISTERED"]
    assert list(uow.committed.registrations) == [first.id]


async def test_withdrawal_revokes_the_certificate_and_allows_registering_again(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    registration = await register(uow, person(), HAKUBA, clock)
    withdrawn = await registrations.withdraw_registration(uow, person(), registration.id, clock)
    assert withdrawn.status is RegistrationStatus.WITHDRAWN
    assert withdrawn.withdrawn_at == clock.now()
    certificate = withdrawn.certificate
    assert certificate is not None
    assert certificate.status is CertificateStatus.REVOKED
    with pytest.raises(Refusal) as refusal:
        await registrations.withdraw_registration(uow, person(), registration.id, clock)
    assert codes(refusal) == ["REGISTRATION_NOT_ACTIVE"]
    again = await register(uow, person(), HAKUBA, clock)
    assert again.id != registration.id


async def test_another_persons_registration_answers_like_a_missing_one(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    registration = await register(uow, person("hanako"), HAKUBA, clock)
    with pytest.raises(Refusal) as refusal:
        await registrations.withdraw_registration(uow, person("ichiro"), registration.id, clock)
    assert codes(refusal) == ["REGISTRATION_NOT_FOUND"]
    stored = uow.committed.registrations[registration.id]
    assert stored.status is RegistrationStatus.ACTIVE


async def test_a_person_registers_with_a_prefecture_and_its_municipality(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    await join_all(uow, clock)
    await register(uow, person(), NAGANO, clock)
    await register(uow, person(), HAKUBA, clock)
    assert len(uow.committed.registrations) == 2


async def test_minors_may_register(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    await join_all(uow, clock)
    minor = Actor("child", Role.RESIDENT, birth_year=2015)
    assert (await register(uow, minor, HAKUBA, clock)).active
    resident = next(iter(uow.committed.residents.values()))
    assert resident.birth_year == 2015
