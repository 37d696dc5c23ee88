from __future__ import annotations

from edge.rate_limit import RateLimiter


def test_a_burst_up_to_the_rate_then_a_steady_refill() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    assert [limiter.allow("p") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other")
    now[0] += 20  # a third of a minute refills one call
    assert limiter.allow("p")
    assert not limiter.allow("p")


def test_callers_quiet_for_a_minute_are_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    for caller in ("a", "b", "c"):
        limiter.allow(caller)
    now[0] += 61
    limiter.allow("d")
    assert len(limiter) == 1
