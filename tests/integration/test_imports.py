"""Municipal lists taken in by import: every row reported, a second import of the same file
changing nothing, changes followed by the figures, and nothing half written."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.certificates import CertificateStatus
from domain.clock import FixedClock, japan_date
from domain.errors import Problem, Refusal
from domain.events import EventType
from domain.imports import Cell, ImportJob, ImportKind, ImportStatus, Rejection, RowOutcome
from municipal_lists.reading import UnreadableFile, read_list
from municipal_lists.writing import to_xlsx
from persistence import tables
from persistence.audit import Audit
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from services import imports, places
from services.imports import ListFile, import_list
from tests.integration.conftest import Api, snapshot
from tests.integration.steps import HAKUBA, NAGANO, join, register
from tests.integration.test_figures import _kept_equal_recounted

pytestmark = pytest.mark.database

HEADER = ["外部ID", "氏名", "生年", "住所地コード", "関係", "関心", "登録日"]
ACTIVITY_HEADER = ["活動ID", "登録者の外部ID", "種類", "実施日", "時間", "内容"]


def _rows(clock: FixedClock) -> list[list[str]]:
    today = japan_date(clock.now())
    return [
        ["H-1", "山田 花子", "1985", "131016", "出身地", "観光・地域の魅力;イベント", "2026/04/01"],
        ["H-2", "佐藤 太郎", "", "011002", "ふるさと納税", "", "2026-05-10"],
        ["H-3", "鈴木 一郎", "1990", "131015", "観光", "", "2026-05-10"],
        ["H-4", "高橋", "1970", "", "温泉", "", "2026-05-10"],
        ["H-1", "山田 花子", "1985", "131016", "出身地", "", "2026-04-01"],
        ["H-5", "未来", "1990", "", "TOURISM", "DIGITAL", (today + timedelta(days=1)).isoformat()],
        ["H-6", "伊藤", "2001", "204854", "WORK_OR_STUDY", "交通、デジタル", "2026-06-30"],
    ]


def _csv(
    header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


async def _import(
    database: Database,
    clock: FixedClock,
    content: bytes,
    kind: ImportKind = ImportKind.REGISTRATIONS,
    name: str = "list.csv",
) -> tuple[ImportJob, list[Rejection], list[tuple[int, str | None, RowOutcome]]]:
    source, _ = read_list(name, content)
    seen: list[tuple[int, str | None, RowOutcome]] = []

    def report(line: int, key: str | None, outcome: RowOutcome, _why: tuple[Problem, ...]) -> None:
        seen.append((line, key, outcome))

    uow = SqlUnitOfWork(database, Audit.system("import"))
    job, rejections = await import_list(uow, clock, "hakuba-system", kind, HAKUBA, source, report)
    return job, rejections, seen


async def _joined(database: Database, clock: FixedClock) -> None:
    today = japan_date(clock.now())
    await places.join_platform(
        SqlUnitOfWork(database), HAKUBA, today - timedelta(days=30), today - timedelta(days=1)
    )


async def _count(database: Database, model: Any, *where: Any) -> int:
    async with AsyncSession(database.read_engine) as session:
        return int(
            (await session.exec(select(func.count()).select_from(model).where(*where))).one()
        )


async def test_a_list_is_taken_in_and_every_row_reported(
    database: Database, clock: FixedClock
) -> None:
    await _joined(database, clock)
    job, rejections, seen = await _import(database, clock, _csv(HEADER, _rows(clock)))

    assert [outcome for _, _, outcome in seen] == [
        RowOutcome.ACCEPTED,
        RowOutcome.ACCEPTED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
        RowOutcome.REJECTED,
        RowOutcome.ACCEPTED,
    ]
    assert [line for line, _, _ in seen] == [2, 3, 4, 5, 6, 7, 8]
    assert {r.line: [p.code for p in r.problems] for r in rejections} == {
        4: ["INVALID_MUNICIPALITY_CODE"],
        5: ["UNKNOWN_VALUE"],
        6: ["DUPLICATE_IN_FILE"],
        7: ["FUTURE_DATE"],
    }
    assert job.status is ImportStatus.FINISHED
    assert (job.outcomes[RowOutcome.ACCEPTED], job.outcomes[RowOutcome.REJECTED]) == (3, 4)

    async with AsyncSession(database.read_engine) as session:
        stored = (await session.exec(select(tables.ImportJob))).one()
        assert (stored.status, stored.accepted, stored.rejected) == ("FINISHED", 3, 4)
        kept = (await session.exec(select(tables.ImportRejection))).all()
        assert sorted(r.line for r in kept) == [4, 5, 6, 7]
        hanako = (
            await session.exec(
                select(tables.Resident).where(tables.Resident.subject == f"list:{HAKUBA}:H-1")
            )
        ).one()
        assert (hanako.display_name, hanako.birth_year, hanako.identity_verified) == (
            "山田 花子",
            1985,
            False,
        )
        registration = (
            await session.exec(
                select(tables.Registration).where(tables.Registration.resident_id == hanako.id)
            )
        ).one()
        assert registration.interests == ["EVENTS", "LOCAL_ATTRACTIONS"]
        assert japan_date(registration.registered_at) == date(2026, 4, 1)
        certificates = (await session.exec(select(tables.Certificate))).all()
        assert len(certificates) == 3
        assert {c.status for c in certificates} == {CertificateStatus.VALID.value}
        events = (await session.exec(select(tables.MunicipalEvent))).all()
        assert {(e.stream_code, e.type) for e in events} == {
            (HAKUBA, EventType.LIST_IMPORTED.value),
            (NAGANO, EventType.LIST_IMPORTED.value),
        }
        entries = (await session.exec(select(tables.AuditEntry))).all()
        assert [e.records for e in entries if e.operation == "system:import"] == [
            [f"import_job:{job.id}"]
        ]
    await _kept_equal_recounted(database)


async def test_the_same_file_again_changes_nothing(database: Database, clock: FixedClock) -> None:
    await _joined(database, clock)
    content = _csv(HEADER, _rows(clock))
    await _import(database, clock, content)
    before = await snapshot(database)
    clock.advance(timedelta(hours=1))
    job, _, _seen = await _import(database, clock, content)

    assert job.outcomes[RowOutcome.UNCHANGED] == 3
    assert job.outcomes[RowOutcome.ACCEPTED] == job.outcomes[RowOutcome.UPDATED] == 0
    after = await snapshot(database)
    # Only the second job and its report are new.
    for table in ("import_job", "import_rejection"):
        before.pop(table), after.pop(table)
    assert after == before


async def test_changed_rows_are_updated_and_the_figures_follow(
    database: Database, clock: FixedClock
) -> None:
    await _joined(database, clock)
    rows = _rows(clock)
    await _import(database, clock, _csv(HEADER, rows))
    rows[0] = ["H-1", "山田 花子", "1986", "011002", "家族・親族", "交通", "2026-04-02"]
    rows.append(["H-7", "渡辺", "1999", "", "観光", "", "2026-07-01"])
    _job, _, seen = await _import(database, clock, _csv(HEADER, rows))

    assert seen[0] == (2, "H-1", RowOutcome.UPDATED)
    assert seen[-1] == (9, "H-7", RowOutcome.ACCEPTED)
    assert seen[1] == (3, "H-2", RowOutcome.UNCHANGED)
    async with AsyncSession(database.read_engine) as session:
        hanako = (
            await session.exec(
                select(tables.Resident).where(tables.Resident.subject == f"list:{HAKUBA}:H-1")
            )
        ).one()
        assert (hanako.birth_year, hanako.home_municipality_code) == (1986, "011002")
        registration = (
            await session.exec(
                select(tables.Registration).where(tables.Registration.resident_id == hanako.id)
            )
        ).one()
        assert (registration.relationship, registration.interests) == ("FAMILY", ["TRANSPORT"])
        assert japan_date(registration.registered_at) == date(2026, 4, 2)
        # An update is a change of the person's records, in the audit log.
        entries = (
            await session.exec(
                select(tables.AuditEntry).where(col(tables.AuditEntry.operation) == "system:import")
            )
        ).all()
        assert f"registration:{registration.id}" in entries[-1].records
    await _kept_equal_recounted(database)


async def test_shift_jis_and_excel_are_read_as_utf_8_is(
    database: Database, clock: FixedClock
) -> None:
    await _joined(database, clock)
    rows = _rows(clock)[:2]
    _, _, from_cp932 = await _import(database, clock, _csv(HEADER, rows, "cp932"))
    assert [outcome for _, _, outcome in from_cp932] == [RowOutcome.ACCEPTED] * 2
    # As a spreadsheet keeps them: numbers, dates, and a code that lost its leading zero.
    cells: list[list[Cell]] = [
        ["H-1", "山田 花子", 1985, 131016, "出身地", "観光・地域の魅力;イベント", date(2026, 4, 1)],
        ["H-2", "佐藤 太郎", None, 11002, "ふるさと納税", None, datetime(2026, 5, 10)],
    ]
    job, _, from_excel = await _import(
        database, clock, to_xlsx("名簿", HEADER, cells), name="list.xlsx"
    )
    assert [outcome for _, _, outcome in from_excel] == [RowOutcome.UNCHANGED] * 2
    assert job.file_name == "list.xlsx"


async def test_activities_of_the_list_are_verified_by_the_municipality(
    database: Database, clock: FixedClock
) -> None:
    await _joined(database, clock)
    await _import(database, clock, _csv(HEADER, _rows(clock)))
    today = japan_date(clock.now())
    rows = [
        ["A-1", "H-1", "ボランティア", "2026-08-01", "3", "清掃活動"],
        ["A-2", "H-2", "EVENT_STAFF", "2026/09/01", "2.5", ""],
        ["A-3", "H-9", "ボランティア", "2026-08-01", "3", ""],
        ["A-4", "H-1", "ボランティア", (today + timedelta(days=2)).isoformat(), "30", ""],
    ]
    job, rejections, _ = await _import(
        database, clock, _csv(ACTIVITY_HEADER, rows), ImportKind.ACTIVITIES
    )
    assert job.outcomes[RowOutcome.ACCEPTED] == 2
    assert {r.line: [p.code for p in r.problems] for r in rejections} == {
        4: ["UNKNOWN_REGISTRANT"],
        5: ["FUTURE_DATE", "INVALID_HOURS"],
    }
    assert await _count(database, tables.Activity, col(tables.Activity.status) == "VERIFIED") == 2
    await _kept_equal_recounted(database)

    rows[1][4] = "4"
    rows[0][1] = "H-2"
    job, rejections, seen = await _import(
        database, clock, _csv(ACTIVITY_HEADER, rows[:2]), ImportKind.ACTIVITIES
    )
    assert [outcome for _, _, outcome in seen] == [RowOutcome.REJECTED, RowOutcome.UPDATED]
    assert [p.code for p in rejections[0].problems] == ["REGISTRANT_CHANGED"]
    assert await _count(database, tables.Activity, col(tables.Activity.hours) == 4.0) == 1
    await _kept_equal_recounted(database)


async def test_a_failed_import_writes_nothing_and_runs_again(
    database: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _joined(database, clock)
    # Small batches: some rows are written before the failure.
    monkeypatch.setattr(imports, "BATCH", 2)
    source, _ = read_list("list.csv", _csv(HEADER, _rows(clock)))

    def breaks_off(rows: Any) -> Iterator[tuple[int, Sequence[Cell]]]:
        for number, row in enumerate(rows):
            if number == 6:
                raise OSError("the connection to the file server was lost")
            yield row

    broken = ListFile(source.name, source.header, breaks_off(source.rows))
    with pytest.raises(OSError, match="file server"):
        await import_list(
            SqlUnitOfWork(database), clock, "s", ImportKind.REGISTRATIONS, HAKUBA, broken
        )

    assert await _count(database, tables.Registration) == 0
    assert await _count(database, tables.ImportRecord) == 0
    async with AsyncSession(database.read_engine) as session:
        failed = (await session.exec(select(tables.ImportJob))).one()
    assert failed.status == "FAILED"
    assert failed.failure == "OSError: the connection to the file server was lost"
    job, _, _ = await _import(database, clock, _csv(HEADER, _rows(clock)))
    assert job.outcomes[RowOutcome.ACCEPTED] == 3
    await _kept_equal_recounted(database)


async def test_an_import_is_refused_whole_when_the_file_or_place_is_wrong(
    database: Database, clock: FixedClock
) -> None:
    content = _csv(HEADER, _rows(clock))
    with pytest.raises(Refusal) as refused:
        await _import(database, clock, content)
    assert refused.value.problems[0].code == "MUNICIPALITY_NOT_PARTICIPATING"
    await _joined(database, clock)
    with pytest.raises(Refusal) as refused:
        await _import(database, clock, _csv(["氏名", "関係"], [["x", "観光"]]))
    assert refused.value.problems[0].code == "BAD_LAYOUT"
    assert "外部ID" in str(refused.value)
    for unreadable in (b"\xff\xfe\x00garbage\x81", b"", b"PK\x03\x04not a zip"):
        with pytest.raises(UnreadableFile):
            read_list("x.csv", unreadable)
    assert await _count(database, tables.ImportJob) == 0
    # A file that stops being CSV part of the way: none of it, and the job says why.
    broken = _csv(HEADER, _rows(clock)[:2]) + b'H-9,"' + b"x" * 200_000 + b'",,,\r\n'
    with pytest.raises(UnreadableFile, match="stops being CSV"):
        await _import(database, clock, broken)
    assert await _count(database, tables.Registration) == 0
    async with AsyncSession(database.read_engine) as session:
        failed = (await session.exec(select(tables.ImportJob))).one()
    assert failed.status == "FAILED"
    assert failed.failure is not None
    assert failed.failure.startswith("UnreadableFile: ")


async def test_two_imports_of_one_list_at_once_do_not_double_it(
    database: Database, clock: FixedClock
) -> None:
    await _joined(database, clock)
    content = _csv(HEADER, _rows(clock))
    first, second = await asyncio.gather(
        _import(database, clock, content), _import(database, clock, content)
    )
    outcomes = sorted(
        (job.outcomes[RowOutcome.ACCEPTED], job.outcomes[RowOutcome.UNCHANGED])
        for job, _, _ in (first, second)
    )
    assert outcomes == [(0, 3), (3, 0)]
    assert await _count(database, tables.Registration) == 3


UPLOAD = (
    "mutation($code: String!, $kind: ImportKind!, $file: Upload!) {"
    " importList(municipalityCode: $code, kind: $kind, file: $file) {"
    " job { id status accepted rejected rejections(first: 10) { totalCount"
    " edges { node { line externalId problems { code field } } } } }"
    " errors { code field } } }"
)


async def test_an_integration_uploads_a_list_and_its_staff_read_the_report(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    integration = api.token("integration", "hakuba-system", municipality=HAKUBA)
    variables = {"code": HAKUBA, "kind": "REGISTRATIONS"}
    body = await api.run(UPLOAD, variables, integration)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", "a file needs multipart"

    response = await api.post(
        UPLOAD, variables, integration, ("名簿.csv", _csv(HEADER, _rows(clock), "cp932"))
    )
    payload = response.json()["data"]["importList"]
    assert payload["errors"] == []
    job = payload["job"]
    assert (job["status"], job["accepted"], job["rejected"]) == ("FINISHED", 3, 4)
    assert job["rejections"]["totalCount"] == 4
    assert job["rejections"]["edges"][0]["node"] == {
        "line": 4,
        "externalId": "H-3",
        "problems": [{"code": "INVALID_MUNICIPALITY_CODE", "field": "home_municipality_code"}],
    }

    staff = api.staff(HAKUBA)
    listed = await api.run(
        "query($code: String!) { municipality(code: $code) { importJobs(first: 5) { totalCount"
        " edges { node { id fileName accepted } } } } }",
        {"code": HAKUBA},
        staff,
    )
    jobs = listed["data"]["municipality"]["importJobs"]
    assert jobs["totalCount"] == 1
    assert jobs["edges"][0]["node"] == {"id": job["id"], "fileName": "名簿.csv", "accepted": 3}
    found = await api.run(
        "query($id: ID!) { node(id: $id) { ... on ImportJob { rejected } } }",
        {"id": job["id"]},
        staff,
    )
    assert found["data"]["node"] == {"rejected": 4}
    elsewhere = await api.run(
        "query($id: ID!) { node(id: $id) { id } }", {"id": job["id"]}, api.staff("014583")
    )
    assert elsewhere["data"]["node"] is None

    before = await snapshot(database)
    garbage = await api.post(UPLOAD, variables, integration, ("x.xlsx", b"PK\x03\x04broken"))
    assert garbage.json()["data"]["importList"]["errors"] == [
        {"code": "UNREADABLE_FILE", "field": "file"}
    ]
    assert await snapshot(database) == before


async def test_only_an_integration_may_send_a_large_body(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    rows = [[f"K-{n}", "", "", "", "観光", "", "2026-05-01"] for n in range(3_000)]
    content = _csv(HEADER, rows)
    assert len(content) > 64 * 1024
    variables = {"code": HAKUBA, "kind": "REGISTRATIONS"}
    staff = await api.post(UPLOAD, variables, api.staff(HAKUBA), ("big.csv", content))
    assert staff.status_code == 413
    integration = api.token("integration", "hakuba-system", municipality=HAKUBA)
    accepted = await api.post(UPLOAD, variables, integration, ("big.csv", content))
    assert accepted.json()["data"]["importList"]["job"]["accepted"] == 3_000


async def test_staff_export_their_registrants_and_the_export_reads_back(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    await _import(database, clock, _csv(HEADER, _rows(clock)))
    await register(api, api.resident("taro"), HAKUBA)
    staff = api.staff(HAKUBA)

    assert (await api.http.get(f"/exports/registrants/{HAKUBA}.csv")).status_code == 401
    elsewhere = {"Authorization": f"Bearer {api.staff('014583')}"}
    assert (
        await api.http.get(f"/exports/registrants/{HAKUBA}.csv", headers=elsewhere)
    ).status_code == 403
    mine = {"Authorization": f"Bearer {staff}"}
    assert (
        await api.http.get(f"/exports/registrants/{HAKUBA}.pdf", headers=mine)
    ).status_code == 404
    assert (await api.http.get("/exports/registrants/204855.csv", headers=mine)).status_code == 400

    before = await _count(database, tables.AuditEntry)
    response = await api.http.get(f"/exports/registrants/{HAKUBA}.csv", headers=mine)
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:7] == HEADER
    assert len(lines) == 1 + 4
    hanako = next(line for line in lines if line[0] == "H-1")
    assert hanako[1:9] == [
        "山田 花子",
        "1985",
        "131016",
        "出身地",
        "イベント;観光・地域の魅力",
        "2026-04-01",
        "ベーシック",
        "",
    ]
    async with AsyncSession(database.read_engine) as session:
        entries = (await session.exec(select(tables.AuditEntry))).all()[before:]
    assert [(e.kind, e.role, len(e.records)) for e in entries] == [("READ", "staff", 4)]
    assert entries[0].operation == f"export registrants {HAKUBA}.csv"

    workbook = await api.http.get(f"/exports/registrants/{HAKUBA}.xlsx", headers=mine)
    source, _ = read_list("x.xlsx", workbook.content)
    assert [str(cell) for cell in source.header] == [*HEADER, "区分", "プレミアム期限", "登録ID"]
    assert len(list(source.rows)) == 4

    # A registrant who came through the app has no key of the list: only that row is turned away.
    job, rejections, _ = await _import(database, clock, response.content)
    assert job.outcomes[RowOutcome.UNCHANGED] == 3
    assert [p.code for r in rejections for p in r.problems] == ["MISSING_VALUE"]
