"""Municipal lists taken in by import: the column layout, and what makes a row acceptable.

A municipality's existing list (a spreadsheet, a web form's export) names each person by the
municipality's own key (外部ID), so that importing the same list again finds the same people:
a row whose key is new is accepted, one whose values differ from the last import is updated,
one that is the same is left as it is. A row that breaks a rule is rejected with its line and
every reason; it never stops the rows around it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from domain import municipality_code
from domain.activities import DESCRIPTION_MAX, MAX_HOURS, ActivityStatus
from domain.clock import start_of_japan_day
from domain.errors import Problem, Refusal
from domain.identifiers import new_id
from domain.places import Participation, is_participating
from domain.residents import DISPLAY_NAME_MAX, EARLIEST_BIRTH_YEAR
from domain.statistics import Tie
from domain.tiers import Tier
from domain.vocabulary import ActivityKind, Interest, Relationship, distinct_interests

# What a row of a list becomes. Basic: premium needs the My Number Card check, which a list
# cannot vouch for. Activities verified: they are the municipality's own records.
IMPORTED_TIER = Tier.BASIC
IMPORTED_ACTIVITY_STATUS = ActivityStatus.VERIFIED
EXTERNAL_ID_MAX = 64
FILE_NAME_MAX = 255
FAILURE_MAX = 1000
# Interests in one cell: 「観光;イベント」 or 「観光、イベント」, as spreadsheets are typed.
INTEREST_SEPARATORS = (";", "、", ",", "|")
_INTEREST_SEPARATOR = re.compile("|".join(re.escape(s) for s in INTEREST_SEPARATORS))


class ImportKind(StrEnum):
    REGISTRATIONS = "REGISTRATIONS"
    ACTIVITIES = "ACTIVITIES"


class ImportStatus(StrEnum):
    """RUNNING until its transaction commits; a job left RUNNING was interrupted."""

    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"


class RowOutcome(StrEnum):
    ACCEPTED = "ACCEPTED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REJECTED = "REJECTED"


RELATIONSHIP_LABELS: Mapping[str, Relationship] = {
    "出身地": Relationship.BIRTHPLACE,
    "過去の居住地": Relationship.FORMER_RESIDENCE,
    "家族・親族": Relationship.FAMILY,
    "通勤・通学": Relationship.WORK_OR_STUDY,
    "観光": Relationship.TOURISM,
    "ふるさと納税": Relationship.FURUSATO_NOZEI,
    "特産品の購入": Relationship.LOCAL_PRODUCTS,
    "ボランティア": Relationship.VOLUNTEERING,
    "二地域居住": Relationship.TWO_BASE_LIVING,
    "その他": Relationship.OTHER,
}
INTEREST_LABELS: Mapping[str, Interest] = {
    "イベント": Interest.EVENTS,
    "観光・地域の魅力": Interest.LOCAL_ATTRACTIONS,
    "地域のニュース": Interest.LOCAL_NEWS,
    "担い手募集": Interest.CONTRIBUTOR_RECRUITMENT,
    "地域づくり": Interest.COMMUNITY_BUILDING,
    "医療・介護": Interest.HEALTHCARE_AND_CARE,
    "教育・子育て": Interest.EDUCATION_AND_CHILDCARE,
    "デジタル": Interest.DIGITAL,
    "広報": Interest.PUBLICITY,
    "事業支援": Interest.BUSINESS_SUPPORT,
    "建設": Interest.CONSTRUCTION,
    "国際交流": Interest.INTERNATIONAL_EXCHANGE,
    "交通": Interest.TRANSPORT,
    "農林水産業": Interest.AGRICULTURE_FORESTRY_FISHERY,
    "移住・住まい": Interest.MIGRATION_AND_HOUSING,
    "その他": Interest.OTHER,
}
ACTIVITY_KIND_LABELS: Mapping[str, ActivityKind] = {
    "ボランティア": ActivityKind.VOLUNTEERING,
    "イベントスタッフ": ActivityKind.EVENT_STAFF,
    "地域の会合": ActivityKind.COMMUNITY_MEETING,
    "農林水産業の手伝い": ActivityKind.PRIMARY_INDUSTRY_HELP,
    "地域の仕事・副業": ActivityKind.LOCAL_BUSINESS,
    "災害復旧": ActivityKind.DISASTER_RECOVERY,
    "教育・子育て": ActivityKind.EDUCATION_AND_CHILDCARE,
    "高齢者の支援": ActivityKind.ELDERLY_CARE,
    "文化の継承・祭り": ActivityKind.CULTURAL_PRESERVATION,
    "二地域居住": ActivityKind.TWO_BASE_LIVING,
    "その他": ActivityKind.OTHER,
}


@dataclass(frozen=True)
class Column:
    """A column of the layout: its name, and the headers a file may give it."""

    name: str
    japanese: str
    required: bool

    @property
    def headers(self) -> tuple[str, str]:
        return (self.japanese, self.name)


REGISTRATION_COLUMNS = (
    Column("external_id", "外部ID", required=True),
    Column("name", "氏名", required=False),
    Column("birth_year", "生年", required=False),
    Column("home_municipality_code", "住所地コード", required=False),
    Column("relationship", "関係", required=True),
    Column("interests", "関心", required=False),
    Column("registered_on", "登録日", required=True),
)
ACTIVITY_COLUMNS = (
    Column("external_id", "活動ID", required=True),
    Column("registrant_external_id", "登録者の外部ID", required=True),
    Column("kind", "種類", required=True),
    Column("occurred_on", "実施日", required=True),
    Column("hours", "時間", required=True),
    Column("description", "内容", required=False),
)
COLUMNS: Mapping[ImportKind, tuple[Column, ...]] = {
    ImportKind.REGISTRATIONS: REGISTRATION_COLUMNS,
    ImportKind.ACTIVITIES: ACTIVITY_COLUMNS,
}

EnumValue = TypeVar("EnumValue", bound=StrEnum)
Cell = str | int | float | date | datetime | None


class BadLayout(ValueError):
    """The file's header row does not give the columns the layout needs."""


def column_positions(kind: ImportKind, header: Sequence[Cell]) -> dict[str, int]:
    """Where each column of the layout is, by its Japanese or English header."""
    names = [_text(cell).lower() for cell in header]
    positions: dict[str, int] = {}
    for column in COLUMNS[kind]:
        found = [i for i, name in enumerate(names) if name in {h.lower() for h in column.headers}]
        if len(found) > 1:
            raise BadLayout(f"the column {column.japanese} ({column.name}) is there twice")
        if found:
            positions[column.name] = found[0]
        elif column.required:
            raise BadLayout(f"the file has no column {column.japanese} ({column.name})")
    return positions


@dataclass(frozen=True)
class RegistrantRow:
    line: int
    external_id: str
    name: str | None
    birth_year: int | None
    home_municipality_code: str | None
    relationship: Relationship
    interests: tuple[Interest, ...]
    registered_on: date

    @property
    def registered_at(self) -> datetime:
        """The day the list gives, as its first moment in Japan."""
        return start_of_japan_day(self.registered_on)

    @property
    def tie(self) -> Tie:
        """What the registration adds to the figures."""
        return Tie(self.relationship, self.interests, IMPORTED_TIER)

    @property
    def fingerprint(self) -> str:
        return _fingerprint(
            self.name,
            self.birth_year,
            self.home_municipality_code,
            self.relationship,
            ",".join(self.interests),
            self.registered_on,
        )


@dataclass(frozen=True)
class ActivityRow:
    line: int
    external_id: str
    registrant_external_id: str
    kind: ActivityKind
    occurred_on: date
    hours: float
    description: str

    @property
    def fingerprint(self) -> str:
        return _fingerprint(
            self.registrant_external_id,
            self.kind,
            self.occurred_on,
            self.hours,
            self.description,
        )


@dataclass(frozen=True)
class Rejection:
    line: int
    external_id: str | None
    problems: tuple[Problem, ...]


def _fingerprint(*values: object) -> str:
    """What a row says, in 32 characters: a row that says the same again changes nothing."""
    text = "\x1f".join(["" if value is None else str(value) for value in values])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _text(cell: Cell) -> str:
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        # Spreadsheets keep whole numbers as floats: 1985.0 is the year 1985.
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    return str(cell).strip()


# What a column's text decides: its value, or what is wrong with it.
Decided = TypeVar("Decided")
# Distinct texts a column's decisions are kept for: a list repeats few codes, labels and days.
REMEMBERED_TEXTS = 4096


class _Remembered(Generic[Decided]):
    """A column's decision for each text, made once: the same text decides the same."""

    def __init__(self, decide: Callable[[str], Decided]) -> None:
        self._decide = decide
        self._known: dict[str, Decided] = {}

    def __call__(self, text: str) -> Decided:
        if text in self._known:
            return self._known[text]
        decided = self._decide(text)
        if len(self._known) < REMEMBERED_TEXTS:
            self._known[text] = decided
        return decided


class RowChecker:
    """Reads the rows of one file: each becomes a row to merge or a rejection. Keys seen
    earlier in the file are remembered, so that a second row with one is a duplicate."""

    def __init__(
        self,
        kind: ImportKind,
        positions: Mapping[str, int],
        places: Collection[str],
        today: date,
    ) -> None:
        # Where each column of the layout is, in its order; one the file lacks reads as empty.
        self._positions = tuple(positions.get(column.name, -1) for column in COLUMNS[kind])
        # Where a registrant may live: a municipality, not a prefecture.
        self.municipalities = frozenset(
            code for code in places if not municipality_code.is_prefecture(code)
        )
        self.today = today
        self.first_line_of: dict[str, int] = {}
        self._birth_year = _Remembered(self._decide_birth_year)
        self._home = _Remembered(self._decide_home)
        self._relationship = _Remembered(_labelled(_RELATIONSHIPS, "relationship"))
        self._interests = _Remembered(_decide_interests)
        self._kind = _Remembered(_labelled(_ACTIVITY_KINDS, "kind"))
        self._hours = _Remembered(_decide_hours)
        self._registered_on = _Remembered(self._day_decider("registered_on"))
        self._occurred_on = _Remembered(self._day_decider("occurred_on"))
        self._check: Callable[[int, list[str]], RegistrantRow | ActivityRow | Rejection] = (
            self._registrant if kind is ImportKind.REGISTRATIONS else self._activity
        )

    def check(self, line: int, cells: Sequence[Cell]) -> RegistrantRow | ActivityRow | Rejection:
        count = len(cells)
        texts = [
            (cell.strip() if type(cell := cells[p]) is str else _text(cell))
            if 0 <= p < count
            else ""
            for p in self._positions
        ]
        return self._check(line, texts)

    def _key(self, key: str, column: str, problems: list[Problem]) -> str | None:
        if not key:
            problems.append(Problem("MISSING_VALUE", "every row needs its key", column))
            return None
        if len(key) > EXTERNAL_ID_MAX:
            problems.append(
                Problem("TOO_LONG", f"a key has at most {EXTERNAL_ID_MAX} characters", column)
            )
            return None
        return key

    def _first(self, line: int, key: str | None, problems: list[Problem]) -> None:
        if key is None:
            return
        first = self.first_line_of.setdefault(key, line)
        if first != line:
            problems.append(
                Problem("DUPLICATE_IN_FILE", f"line {first} has the same key", "external_id")
            )

    def _day_decider(self, column: str) -> Callable[[str], date | Problem]:
        def decide(text: str) -> date | Problem:
            day = _day(text)
            if day is None:
                return Problem("INVALID_DATE", "a date is written 2026-04-01 or 2026/4/1", column)
            if day > self.today:
                return Problem("FUTURE_DATE", "the date has not come yet", column)
            return day

        return decide

    def _registrant(self, line: int, texts: list[str]) -> RegistrantRow | Rejection:
        sent_key, name, birth_year, home, relationship, interests, registered_on = texts
        problems: list[Problem] = []
        key = self._key(sent_key, "external_id", problems)
        if len(name) > DISPLAY_NAME_MAX:
            problems.append(
                Problem("TOO_LONG", f"a name has at most {DISPLAY_NAME_MAX} characters", "name")
            )
        year = _noted(self._birth_year(birth_year), problems)
        place = _noted(self._home(home), problems)
        tie = _noted(self._relationship(relationship), problems)
        cares, wrong = self._interests(interests)
        problems += wrong
        day = _noted(self._registered_on(registered_on), problems)
        self._first(line, key, problems)
        if problems or key is None or tie is None or day is None:
            return Rejection(line, key, tuple(problems))
        return RegistrantRow(line, key, name or None, year, place, tie, cares, day)

    def _decide_home(self, home: str) -> str | Problem | None:
        if not home or home in self.municipalities:
            return home or None
        # A spreadsheet that took the code for a number dropped its leading zero.
        home = home.zfill(6) if home.isdigit() and len(home) == 5 else home
        if home in self.municipalities:
            return home
        if not municipality_code.is_valid(home):
            return Problem(
                "INVALID_MUNICIPALITY_CODE",
                "a code has 6 digits with a valid check digit",
                "home_municipality_code",
            )
        return Problem(
            "UNKNOWN_MUNICIPALITY", "no municipality has this code", "home_municipality_code"
        )

    def _decide_birth_year(self, text: str) -> int | Problem | None:
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or not (
            EARLIEST_BIRTH_YEAR <= int(text) <= self.today.year
        ):
            return Problem(
                "INVALID_BIRTH_YEAR",
                f"a birth year lies between {EARLIEST_BIRTH_YEAR} and this year",
                "birth_year",
            )
        return int(text)

    def _activity(self, line: int, texts: list[str]) -> ActivityRow | Rejection:
        sent_key, sent_registrant, kind_text, occurred_on, hours_text, description = texts
        problems: list[Problem] = []
        key = self._key(sent_key, "external_id", problems)
        registrant = self._key(sent_registrant, "registrant_external_id", problems)
        kind = _noted(self._kind(kind_text), problems)
        day = _noted(self._occurred_on(occurred_on), problems)
        hours = _noted(self._hours(hours_text), problems)
        if len(description) > DESCRIPTION_MAX:
            problems.append(
                Problem(
                    "TOO_LONG",
                    f"a description has at most {DESCRIPTION_MAX} characters",
                    "description",
                )
            )
        self._first(line, key, problems)
        if (
            problems
            or key is None
            or registrant is None
            or kind is None
            or day is None
            or hours is None
        ):
            return Rejection(line, key, tuple(problems))
        return ActivityRow(line, key, registrant, kind, day, hours, description)


def _noted(decided: Decided | Problem, problems: list[Problem]) -> Decided | None:
    """A column's value, or None with what is wrong with it noted."""
    if isinstance(decided, Problem):
        problems.append(decided)
        return None
    return decided


def _decide_interests(text: str) -> tuple[tuple[Interest, ...], tuple[Problem, ...]]:
    """The interests a cell names, and a problem for each part that names none."""
    interests: list[Interest] = []
    problems: list[Problem] = []
    for part in filter(None, (p.strip() for p in _INTEREST_SEPARATOR.split(text))):
        interest = _label(part, _INTERESTS, "interests")
        if isinstance(interest, Problem):
            problems.append(interest)
        else:
            interests.append(interest)
    return distinct_interests(interests), tuple(problems)


def _labelled(lookup: Mapping[str, EnumValue], column: str) -> Callable[[str], EnumValue | Problem]:
    return lambda text: _label(text, lookup, column)


def _lookup(labels: Mapping[str, EnumValue], values: type[EnumValue]) -> dict[str, EnumValue]:
    """A closed list's values by their Japanese label and by their code."""
    return {**{value.value: value for value in values}, **labels}


_RELATIONSHIPS = _lookup(RELATIONSHIP_LABELS, Relationship)
_INTERESTS = _lookup(INTEREST_LABELS, Interest)
_ACTIVITY_KINDS = _lookup(ACTIVITY_KIND_LABELS, ActivityKind)


def _label(text: str, lookup: Mapping[str, EnumValue], column: str) -> EnumValue | Problem:
    """A value of a closed list, by its Japanese label or its code (in any case)."""
    found = lookup.get(text) or lookup.get(text.upper())
    if found is not None:
        return found
    return Problem(
        "UNKNOWN_VALUE",
        f"{text!r} is not a value of this column" if text else "the value is missing",
        column,
    )


def _day(text: str) -> date | None:
    """2026-04-01, 2026/04/01 or 2026/4/1, as spreadsheets write days."""
    parts = text.replace("/", "-").split("-")
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _decide_hours(text: str) -> float | Problem:
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_HOURS:
        return Problem("INVALID_HOURS", f"hours are more than 0 and at most {MAX_HOURS:g}", "hours")
    return hours


@dataclass
class ImportJob:
    """A file taken in: how many of its rows each outcome had."""

    id: uuid.UUID
    municipality_code: str
    kind: ImportKind
    file_name: str
    started_at: datetime
    started_by: str
    status: ImportStatus = ImportStatus.RUNNING
    finished_at: datetime | None = None
    outcomes: Counter[RowOutcome] = field(default_factory=Counter)
    failure: str | None = None

    def finish(self, now: datetime) -> None:
        self.status = ImportStatus.FINISHED
        self.finished_at = now

    def fail(self, reason: str, now: datetime) -> None:
        self.status = ImportStatus.FAILED
        self.finished_at = now
        self.failure = reason[:FAILURE_MAX]

    @property
    def changed_anything(self) -> bool:
        return bool(self.outcomes[RowOutcome.ACCEPTED] or self.outcomes[RowOutcome.UPDATED])


def start_import(
    municipality_code: str, kind: ImportKind, file_name: str, started_by: str, now: datetime
) -> ImportJob:
    return ImportJob(
        new_id(), municipality_code, kind, file_name[:FILE_NAME_MAX] or "-", now, started_by
    )


def check_can_import(participation: Participation | None, today: date) -> None:
    if not is_participating(participation, today):
        raise Refusal(
            "MUNICIPALITY_NOT_PARTICIPATING",
            "lists are imported only for places that take part",
            "municipalityCode",
        )


def registrant_of(
    row: ActivityRow,
    registrants: Mapping[str, uuid.UUID],
    imported_for: uuid.UUID | None,
) -> uuid.UUID | Rejection:
    """The person an activity row is of: a registrant of the same list, and the same one the
    activity was imported for before."""
    resident = registrants.get(row.registrant_external_id)
    if resident is None:
        return Rejection(
            row.line,
            row.external_id,
            (
                Problem(
                    "UNKNOWN_REGISTRANT",
                    "no registrant of this municipality's list has this key",
                    "registrant_external_id",
                ),
            ),
        )
    if imported_for is not None and imported_for != resident:
        return Rejection(
            row.line,
            row.external_id,
            (
                Problem(
                    "REGISTRANT_CHANGED",
                    "an activity stays with its registrant: give the row a new key",
                    "registrant_external_id",
                ),
            ),
        )
    return resident


def relationship_label(relationship: Relationship) -> str:
    """The Japanese label a list gives it (what an export writes, and an import reads back)."""
    return next(label for label, value in RELATIONSHIP_LABELS.items() if value is relationship)


def interest_label(interest: Interest) -> str:
    return next(label for label, value in INTEREST_LABELS.items() if value is interest)
