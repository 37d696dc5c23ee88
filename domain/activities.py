"""Contributor activities (担い手活動): recorded by residents, reviewed by staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.clock import japan_date
from domain.errors import Problem, Refusal
from domain.events import EventType, MunicipalEvent, SubjectKind
from domain.identifiers import new_id
from domain.vocabulary import ActivityKind

MAX_HOURS = 24.0
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000


class ActivityStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


@dataclass
class Activity:
    id: uuid.UUID
    resident_id: uuid.UUID
    municipality_code: str
    kind: ActivityKind
    occurred_on: date
    hours: float
    description: str
    recorded_at: datetime
    status: ActivityStatus = ActivityStatus.PENDING
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    review_note: str | None = None
    # What happened to it in this unit of work, for the municipality's event stream.
    events: list[MunicipalEvent] = field(default_factory=list)

    def happened(self, event: EventType, now: datetime) -> None:
        self.events.append(
            MunicipalEvent(event, self.municipality_code, now, SubjectKind.ACTIVITY, self.id)
        )


@dataclass(frozen=True)
class ActivityReport:
    municipality_code: str
    kind: ActivityKind
    occurred_on: date
    hours: float
    description: str


def record_activity(
    resident_id: uuid.UUID,
    report: ActivityReport,
    registered_there: bool,
    now: datetime,
) -> Activity:
    problems: list[Problem] = []
    if not registered_there:
        problems.append(
            Problem(
                "NOT_REGISTERED",
                "activities are recorded only for a place you are registered with",
                "municipalityCode",
            )
        )
    if report.occurred_on > japan_date(now):
        problems.append(Problem("FUTURE_DATE", "the activity has not happened yet", "occurredOn"))
    if not 0 < report.hours <= MAX_HOURS:
        problems.append(
            Problem("INVALID_HOURS", f"hours are more than 0 and at most {MAX_HOURS:g}", "hours")
        )
    if len(report.description) > DESCRIPTION_MAX:
        problems.append(
            Problem(
                "TOO_LONG", f"a description has at most {DESCRIPTION_MAX} characters", "description"
            )
        )
    if problems:
        raise Refusal.of(problems)
    activity = Activity(
        id=new_id(),
        resident_id=resident_id,
        municipality_code=report.municipality_code,
        kind=report.kind,
        occurred_on=report.occurred_on,
        hours=report.hours,
        description=report.description.strip(),
        recorded_at=now,
    )
    activity.happened(EventType.ACTIVITY_RECORDED, now)
    return activity


def review_activity(
    activity: Activity, approve: bool, note: str | None, reviewer: str, now: datetime
) -> None:
    if activity.status is not ActivityStatus.PENDING:
        raise Refusal("ALREADY_REVIEWED", "the activity has been reviewed already", "activityId")
    if note is not None and len(note) > NOTE_MAX:
        raise Refusal("TOO_LONG", f"a note has at most {NOTE_MAX} characters", "note")
    activity.status = ActivityStatus.VERIFIED if approve else ActivityStatus.REJECTED
    activity.reviewed_at = now
    activity.reviewed_by = reviewer
    activity.review_note = note.strip() if note else None
    activity.happened(EventType.ACTIVITY_REVIEWED, now)
