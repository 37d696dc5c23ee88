"""Notices: what a publication needs, and whose feed a notice reaches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import Refusal
from domain.notices import (
    NoticeAudience,
    NoticeDraft,
    NoticeKind,
    feed_scope,
    interest_mask,
    publish,
)
from domain.places import Participation
from domain.vocabulary import Interest

NOW = datetime(2027, 2, 1, 3, tzinfo=UTC)
TAKING_PART = Participation("204854", date(2027, 1, 1), date(2027, 1, 1))


def draft(**change: object) -> NoticeDraft:
    fields: dict[str, object] = {
        "municipality_code": "204854",
        "kind": NoticeKind.EVENT,
        "title": " 冬まつり ",
        "body": "雪像づくりの担い手を募集します",
        "interests": (Interest.EVENTS, Interest.EVENTS),
        "audience": NoticeAudience.ALL,
        "starts_at": NOW + timedelta(days=7),
        "ends_at": NOW + timedelta(days=8),
    }
    fields.update(change)
    return NoticeDraft(**fields)  # type: ignore[arg-type]


def test_a_notice_is_published_as_of_now() -> None:
    notice = publish(draft(), TAKING_PART, "staff", NOW)
    assert (notice.title, notice.interests, notice.published_at) == (
        "冬まつり",
        (Interest.EVENTS,),
        NOW,
    )


@pytest.mark.parametrize(
    ("change", "codes"),
    [
        ({"title": "  "}, ["INVALID_TITLE"]),
        ({"body": "あ" * 5001}, ["TOO_LONG"]),
        ({"ends_at": NOW}, ["INVALID_DATES"]),
        ({"title": "", "ends_at": NOW}, ["INVALID_TITLE", "INVALID_DATES"]),
    ],
)
def test_a_bad_notice_is_refused(change: dict[str, object], codes: list[str]) -> None:
    with pytest.raises(Refusal) as refusal:
        publish(draft(**change), TAKING_PART, "staff", NOW)
    assert [p.code for p in refusal.value.problems] == codes


def test_only_places_that_take_part_publish() -> None:
    for participation in (None, Participation("204854", date(2027, 1, 1), date(2027, 3, 1))):
        with pytest.raises(Refusal) as refusal:
            publish(draft(), participation, "staff", NOW)
        assert refusal.value.problems[0].code == "MUNICIPALITY_NOT_PARTICIPATING"


def test_the_feed_reaches_places_their_prefectures_and_premium_where_in_force() -> None:
    scope = feed_scope(
        [("204854", True, True), ("014583", True, False), ("363421", False, True)],
        [Interest.EVENTS],
    )
    assert scope.places == {"204854", "200000", "014583", "010006"}
    assert scope.premium_places == {"204854", "200000"}
    assert scope.interests == interest_mask([Interest.EVENTS]) == 1


def test_interest_bits_follow_the_list_of_interests() -> None:
    assert interest_mask([]) == 0
    assert interest_mask([Interest.OTHER, Interest.EVENTS]) == 1 | 1 << (len(Interest) - 1)
