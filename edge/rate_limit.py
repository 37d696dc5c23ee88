"""A token bucket per caller, so that a leaked partner token cannot be used to scan."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """`per_minute` calls per key, refilled evenly, with bursts up to the same number. Kept in
    the worker's memory: with N workers a caller may reach N times the rate."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _swept: float = 0.0

    def allow(self, key: str) -> bool:
        now = self.clock()
        self._forget_full_buckets(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(
            float(self.per_minute), bucket.tokens + (now - bucket.updated) * self.per_minute / 60
        )
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _forget_full_buckets(self, now: float) -> None:
        """A bucket left alone for a minute is full again, as good as none: once a minute
        those are dropped, so that memory follows the callers of the last minute, not all."""
        if now - self._swept < 60:
            return
        self._swept = now
        for key in [key for key, bucket in self._buckets.items() if now - bucket.updated >= 60]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
