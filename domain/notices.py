"""Notices municipalities publish, and whose feed each one reaches."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import municipality_code
from domain.clock import japan_date
from domain.errors import Problem, Refusal
from domain.events import EventType, MunicipalEvent, SubjectKind
from domain.identifiers import new_id
from domain.places import Participation, is_participating
from domain.vocabulary import Interest, distinct_interests

TITLE_MAX = 200
BODY_MAX = 5000


class NoticeKind(StrEnum):
    EVENT = "EVENT"
    CONTRIBUTOR_RECRUITMENT = "CONTRIBUTOR_RECRUITMENT"
    NEWS = "NEWS"
    SUPPORT = "SUPPORT"


class NoticeAudience(StrEnum):
    ALL = "ALL"
    PREMIUM = "PREMIUM"


@dataclass(frozen=True)
class NoticeDraft:
    municipality_code: str
    kind: NoticeKind
    title: str
    body: str
    interests: tuple[Interest, ...]
    audience: NoticeAudience
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class Notice:
    id: uuid.UUID
    municipality_code: str
    kind: NoticeKind
    title: str
    body: str
    interests: tuple[Interest, ...]
    audience: NoticeAudience
    starts_at: datetime | None
    ends_at: datetime | None
    published_at: datetime
    published_by: str


def publish(
    draft: NoticeDraft, participation: Participation | None, by: str, now: datetime
) -> Notice:
    if not is_participating(participation, japan_date(now)):
        raise Refusal(
            "MUNICIPALITY_NOT_PARTICIPATING",
            "notices exist only with places that take part",
            "municipalityCode",
        )
    problems: list[Problem] = []
    title = draft.title.strip()
    if not title or len(title) > TITLE_MAX:
        problems.append(
            Problem("INVALID_TITLE", f"a title has 1 to {TITLE_MAX} characters", "title")
        )
    if len(draft.body) > BODY_MAX:
        problems.append(Problem("TOO_LONG", f"a body has at most {BODY_MAX} characters", "body"))
    if draft.starts_at and draft.ends_at and draft.ends_at < draft.starts_at:
        problems.append(Problem("INVALID_DATES", "a notice ends after it starts", "endsAt"))
    if problems:
        raise Refusal.of(problems)
    return Notice(
        id=new_id(),
        municipality_code=draft.municipality_code,
        kind=draft.kind,
        title=title,
        body=draft.body.strip(),
        interests=distinct_interests(draft.interests),
        audience=draft.audience,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        published_at=now,
        published_by=by,
    )


def interest_mask(interests: Iterable[Interest]) -> int:
    """Interests as bits, so that a database can match them with one AND."""
    wanted = set(interests)
    return sum(1 << position for position, interest in enumerate(Interest) if interest in wanted)


@dataclass(frozen=True)
class FeedScope:
    """Whose notices reach a resident: the places they are registered with and those places'
    prefectures; premium-only ones from where their premium is in force; and their interests
    (none chosen: every interest)."""

    places: frozenset[str]
    premium_places: frozenset[str]
    interests: int


def feed_scope(
    registrations: Iterable[tuple[str, bool, bool]], interests: Iterable[Interest]
) -> FeedScope:
    """`registrations`: each registration's place, whether it is active, and whether premium is
    in force there. A withdrawn registration brings nothing; a prefecture's premium-only notices
    reach premium registrants of its municipalities too."""
    places: set[str] = set()
    premium: set[str] = set()
    for code, active, premium_in_force in registrations:
        if not active:
            continue
        reached = {code, municipality_code.prefecture_of(code)}
        places |= reached
        if premium_in_force:
            premium |= reached
    return FeedScope(frozenset(places), frozenset(premium), interest_mask(interests))


def publication(notice: Notice) -> MunicipalEvent:
    return MunicipalEvent(
        EventType.NOTICE_PUBLISHED,
        notice.municipality_code,
        notice.published_at,
        SubjectKind.NOTICE,
        notice.id,
    )
