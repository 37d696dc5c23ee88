"""New records' ids: UUID version 7, in the order they were made (by the millisecond)."""

from __future__ import annotations

import time
import uuid

from domain.identifiers import new_id


def test_an_id_is_a_version_7_uuid() -> None:
    made = new_id()
    assert made.version == 7
    assert made.variant == uuid.RFC_4122


def test_ids_made_later_sort_after_and_never_repeat() -> None:
    earlier = [new_id() for _ in range(1_000)]
    time.sleep(0.002)
    later = [new_id() for _ in range(1_000)]
    assert max(earlier) < min(later)
    assert len(set(earlier + later)) == 2_000


def test_an_id_tells_the_millisecond_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after
