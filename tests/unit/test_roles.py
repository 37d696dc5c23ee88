from __future__ import annotations

from domain.roles import Actor, Role


def test_staff_administer_their_own_place_only() -> None:
    staff = Actor("s", Role.STAFF, municipality_code="204854")
    assert staff.administers("204854")
    assert not staff.administers("202011")
    assert not staff.administers("200000")


def test_prefecture_staff_administer_their_municipalities_too() -> None:
    staff = Actor("s", Role.STAFF, municipality_code="200000")
    assert staff.administers("200000")
    assert staff.administers("204854")
    assert not staff.administers("014583")


def test_other_roles_administer_nothing() -> None:
    for role in (Role.RESIDENT, Role.ANALYST, Role.OPERATOR, Role.PARTNER, Role.INTEGRATION):
        assert not Actor("x", role, municipality_code="204854").administers("204854")


def test_only_a_places_own_staff_decide_for_it() -> None:
    assert Actor("s", Role.STAFF, municipality_code="204854").governs("204854")
    assert not Actor("s", Role.STAFF, municipality_code="200000").governs("204854")
    assert not Actor("s", Role.INTEGRATION, municipality_code="204854").governs("204854")


def test_who_sees_figures_and_who_sees_them_exactly() -> None:
    village = Actor("s", Role.STAFF, municipality_code="204854")
    prefecture = Actor("s", Role.STAFF, municipality_code="200000")
    analyst = Actor("a", Role.ANALYST)
    assert [a.sees_figures_of("204854") for a in (village, prefecture, analyst)] == [True] * 3
    assert [a.sees_small_counts_of("204854") for a in (village, prefecture, analyst)] == [
        True,
        False,
        False,
    ]
    assert not Actor("r", Role.RESIDENT).sees_figures_of("204854")
    assert not Actor("p", Role.PARTNER).sees_national_figures
    assert analyst.sees_national_figures
