from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import FixedClock
from tests.fakes import FakeUnitOfWork

# Noon in Japan on 1 February 2027, a month after the scheme opens.
START = datetime(2027, 2, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
