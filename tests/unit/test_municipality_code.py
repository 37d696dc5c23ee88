from __future__ import annotations

import pytest

from domain import municipality_code
from domain.errors import InvalidInput
from persistence.master_data import shipped


def test_every_shipped_code_passes_its_check_digit() -> None:
    assert all(municipality_code.is_valid(place.code) for place in shipped())


@pytest.mark.parametrize("code", ["011001", "01100", "0110022", "01100a", "", "０１１００２"])
def test_malformed_codes_are_invalid_input(code: str) -> None:
    with pytest.raises(InvalidInput):
        municipality_code.parse(code)


@pytest.mark.parametrize(
    ("code", "prefecture"),
    [("011002", "010006"), ("131016", "130001"), ("204854", "200000"), ("200000", "200000")],
)
def test_prefecture_of_a_code(code: str, prefecture: str) -> None:
    assert municipality_code.prefecture_of(code) == prefecture


def test_every_municipality_belongs_to_a_shipped_prefecture() -> None:
    places = shipped()
    prefectures = {p.code for p in places if p.kind == "PREFECTURE"}
    assert len(prefectures) == 47
    assert len(places) - len(prefectures) == 1741
    assert {municipality_code.prefecture_of(p.code) for p in places} == prefectures
