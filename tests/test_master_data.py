"""The shipped master data: complete, valid, and the same as the shared reference data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from persistence import master_data

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def test_the_registration_targets_are_all_there() -> None:
    kinds = Counter(place.kind for place in master_data.shipped())
    assert kinds == {
        "PREFECTURE": 47,
        "CITY": 792,
        "TOWN": 743,
        "VILLAGE": 183,
        "SPECIAL_WARD": 23,
    }


def test_codes_are_unique_and_readings_are_hiragana() -> None:
    places = master_data.shipped()
    assert len({p.code for p in places}) == len(places)
    hiragana = {chr(c) for c in range(ord("ぁ"), ord("ゖ") + 1)} | {"ー", "ゔ"}
    assert all(set(p.name_kana) <= hiragana for p in places), [
        p for p in places if not set(p.name_kana) <= hiragana
    ][:3]


def test_the_shipped_copy_matches_the_shared_reference_data() -> None:
    if not SHARED_DATA.exists():
        pytest.skip("no ../shared checkout beside the project")
    assert master_data.shipped() == master_data.derive(SHARED_DATA), "run `make masterdata`"
