"""What makes a row of a municipal list acceptable, and how an import decides each row, on
the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.clock import FixedClock
from domain.errors import Refusal
from domain.imports import (
    REMEMBERED_TEXTS,
    ActivityRow,
    BadLayout,
    ImportKind,
    ImportStatus,
    RegistrantRow,
    Rejection,
    RowChecker,
    RowOutcome,
    column_positions,
)
from domain.places import Participation
from domain.vocabulary import ActivityKind, Interest, Relationship
from persistence.master_data import shipped
from services.imports import ListFile, import_list
from tests.fakes import FakeUnitOfWork

TODAY = date(2027, 1, 15)
PLACES = frozenset(p.code for p in shipped())
HAKUBA = "204854"


def _checker(kind: ImportKind, header: list[str]) -> RowChecker:
    return RowChecker(kind, column_positions(kind, header), PLACES, TODAY)


def _codes(found: Any) -> list[str]:
    assert isinstance(found, Rejection)
    return [problem.code for problem in found.problems]


def test_columns_are_found_by_japanese_or_english_header_in_any_order() -> None:
    positions = column_positions(
        ImportKind.REGISTRATIONS, ["登録日", " External_ID ", "関係", "memo"]
    )
    assert positions == {"registered_on": 0, "external_id": 1, "relationship": 2}
    with pytest.raises(BadLayout, match="外部ID"):
        column_positions(ImportKind.REGISTRATIONS, ["氏名", "関係", "登録日"])
    with pytest.raises(BadLayout, match="twice"):
        column_positions(ImportKind.REGISTRATIONS, ["外部ID", "external_id", "関係", "登録日"])


def test_a_registrant_row_takes_labels_codes_and_spreadsheet_values() -> None:
    checker = _checker(
        ImportKind.REGISTRATIONS,
        ["外部ID", "氏名", "生年", "住所地コード", "関係", "関心", "登録日"],
    )
    row = checker.check(
        2,
        [
            "K-1",
            " 花子 ",
            1985.0,
            11002,
            "出身地",
            "イベント、digital;イベント",
            datetime(2026, 4, 1),
        ],
    )
    assert row == RegistrantRow(
        2,
        "K-1",
        "花子",
        1985,
        "011002",
        Relationship.BIRTHPLACE,
        (Interest.EVENTS, Interest.DIGITAL),
        date(2026, 4, 1),
    )
    same = checker.check(
        3, ["K-2", "花子", "1985", "011002", "BIRTHPLACE", "DIGITAL;EVENTS", "2026/4/1"]
    )
    assert isinstance(same, RegistrantRow)
    assert same.fingerprint == row.fingerprint
    moved = checker.check(
        4, ["K-3", "花子", "1985", "011002", "BIRTHPLACE", "EVENTS", "2026-04-01"]
    )
    assert isinstance(moved, RegistrantRow)
    assert moved.fingerprint != row.fingerprint


@pytest.mark.parametrize(
    ("cells", "codes"),
    [
        (["", "観光", "2026-01-01", ""], ["MISSING_VALUE"]),
        (["K" * 65, "観光", "2026-01-01", ""], ["TOO_LONG"]),
        (["K-1", "温泉", "2026-01-01", ""], ["UNKNOWN_VALUE"]),
        (["K-1", "", "2026-01-01", ""], ["UNKNOWN_VALUE"]),
        (["K-1", "観光", "01/02/2026", ""], ["INVALID_DATE"]),
        (["K-1", "観光", "2026-02-30", ""], ["INVALID_DATE"]),
        (["K-1", "観光", "令和8年4月1日", ""], ["INVALID_DATE"]),
        (["K-1", "観光", "2027-01-16", ""], ["FUTURE_DATE"]),
        (["K-1", "観光", "2026-01-01", "131015"], ["INVALID_MUNICIPALITY_CODE"]),
        (["K-1", "観光", "2026-01-01", "130001"], ["UNKNOWN_MUNICIPALITY"]),
        (
            ["K-1", "温泉", "2027-02-01", "13101"],
            ["UNKNOWN_VALUE", "FUTURE_DATE", "INVALID_MUNICIPALITY_CODE"],
        ),
    ],
)
def test_a_bad_registrant_row_is_rejected_with_every_reason(
    cells: list[str], codes: list[str]
) -> None:
    checker = _checker(ImportKind.REGISTRATIONS, ["外部ID", "関係", "登録日", "住所地コード"])
    assert sorted(_codes(checker.check(2, cells))) == sorted(codes)


def test_a_text_is_decided_the_same_each_time_however_many_texts_came_before() -> None:
    """A column's decisions are kept for REMEMBERED_TEXTS texts; past them they are made
    again, the same."""
    checker = _checker(ImportKind.REGISTRATIONS, ["外部ID", "関係", "登録日"])
    days = [TODAY - timedelta(days=n) for n in range(REMEMBERED_TEXTS + 100)]
    for line, day in enumerate(days, start=2):
        assert isinstance(
            checker.check(line, [f"K-{line}", "観光", day.isoformat()]), RegistrantRow
        )
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for line in (90_000, 90_001):
        found = checker.check(line, [f"F-{line}", "温泉", tomorrow])
        assert _codes(found) == ["UNKNOWN_VALUE", "FUTURE_DATE"]


def test_a_birth_year_is_a_plausible_year() -> None:
    checker = _checker(ImportKind.REGISTRATIONS, ["外部ID", "関係", "登録日", "生年"])
    for year in ("1899", "2028", "昭和60", "-1"):
        assert _codes(checker.check(2, ["K-1", "観光", "2026-01-01", year])) == [
            "INVALID_BIRTH_YEAR"
        ]


def test_a_key_seen_earlier_in_the_file_is_a_duplicate() -> None:
    checker = _checker(ImportKind.REGISTRATIONS, ["外部ID", "関係", "登録日"])
    assert isinstance(checker.check(2, ["K-1", "観光", "2026-01-01"]), RegistrantRow)
    duplicate = checker.check(9, ["K-1", "出身地", "2026-01-01"])
    assert _codes(duplicate) == ["DUPLICATE_IN_FILE"]
    assert isinstance(duplicate, Rejection)
    assert duplicate.problems[0].message == "line 2 has the same key"


def test_an_activity_row() -> None:
    checker = _checker(
        ImportKind.ACTIVITIES, ["活動ID", "登録者の外部ID", "種類", "実施日", "時間", "内容"]
    )
    row = checker.check(2, ["A-1", "K-1", "災害復旧", "2026-12-01", "3.5", "泥かき"])
    assert row == ActivityRow(
        2, "A-1", "K-1", ActivityKind.DISASTER_RECOVERY, date(2026, 12, 1), 3.5, "泥かき"
    )
    bad = checker.check(3, ["A-2", "", "散歩", "2026-12-01", "25", "x" * 2001])
    assert sorted(_codes(bad)) == ["INVALID_HOURS", "MISSING_VALUE", "TOO_LONG", "UNKNOWN_VALUE"]
    assert _codes(checker.check(4, ["A-3", "K-1", "OTHER", "2026-12-01", "two", ""])) == [
        "INVALID_HOURS"
    ]


def _fake_world() -> tuple[FakeUnitOfWork, FixedClock]:
    uow = FakeUnitOfWork()
    uow.committed.participations[HAKUBA] = Participation(HAKUBA, date(2026, 1, 1), date(2026, 1, 1))
    return uow, FixedClock(datetime(2027, 1, 15, 3, tzinfo=UTC))


HEADER = ["外部ID", "関係", "登録日"]


def _list(*rows: list[str]) -> ListFile:
    return ListFile("list.csv", HEADER, list(enumerate(rows, start=2)))


async def test_outcomes_follow_the_list_as_last_imported() -> None:
    uow, clock = _fake_world()
    first, _ = await import_list(
        uow,
        clock,
        "i",
        ImportKind.REGISTRATIONS,
        HAKUBA,
        _list(["K-1", "観光", "2026-01-01"], ["K-2", "観光", "2026-01-01"]),
    )
    assert first.outcomes == {RowOutcome.ACCEPTED: 2}
    second, rejections = await import_list(
        uow,
        clock,
        "i",
        ImportKind.REGISTRATIONS,
        HAKUBA,
        _list(["K-1", "観光", "2026-01-01"], ["K-2", "出身地", "2026-01-01"], ["K-3", "?", ""]),
    )
    assert second.outcomes == {
        RowOutcome.UNCHANGED: 1,
        RowOutcome.UPDATED: 1,
        RowOutcome.REJECTED: 1,
    }
    assert second.status is ImportStatus.FINISHED
    assert [r.line for r in rejections] == [4]
    assert uow.committed.import_jobs[second.id].outcomes == second.outcomes
    announced = [e for e in uow.committed.events if e.subject_id in (first.id, second.id)]
    assert len(announced) == 2


async def test_a_list_with_nothing_new_is_not_announced() -> None:
    uow, clock = _fake_world()
    rows = _list(["K-1", "観光", "2026-01-01"])
    await import_list(uow, clock, "i", ImportKind.REGISTRATIONS, HAKUBA, rows)
    events = len(uow.committed.events)
    again = _list(["K-1", "観光", "2026-01-01"])
    await import_list(uow, clock, "i", ImportKind.REGISTRATIONS, HAKUBA, again)
    assert len(uow.committed.events) == events


async def test_a_place_not_taking_part_is_refused_before_any_job() -> None:
    uow, clock = _fake_world()
    with pytest.raises(Refusal) as refused:
        await import_list(uow, clock, "i", ImportKind.REGISTRATIONS, "011002", _list())
    assert refused.value.problems[0].code == "MUNICIPALITY_NOT_PARTICIPATING"
    with pytest.raises(Refusal) as refused:
        await import_list(uow, clock, "i", ImportKind.REGISTRATIONS, "011003", _list())
    assert refused.value.problems[0].code == "MUNICIPALITY_NOT_FOUND"
    assert uow.committed.import_jobs == {}
