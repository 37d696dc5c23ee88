"""A worker's stall series: its event loop's lag and the garbage collector's pauses."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time

from prometheus_client import REGISTRY

from edge.stalls import _CollectorTimer, time_collections, watch_event_loop


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def _late_by_25_ms_or_more() -> float:
    return _sample("furusato_event_loop_lag_seconds_count") - _sample(
        "furusato_event_loop_lag_seconds_bucket", {"le": "0.025"}
    )


def _compute_for(seconds: float) -> None:
    """Holds the loop, as a long computation in a resolver would."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def test_a_loop_held_by_work_that_does_not_yield_runs_its_timer_late() -> None:
    late_before = _late_by_25_ms_or_more()
    timers_before = _sample("furusato_event_loop_lag_seconds_count")
    watching = asyncio.create_task(watch_event_loop(interval=0.01))
    await asyncio.sleep(0.03)
    _compute_for(0.06)
    await asyncio.sleep(0.03)
    watching.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watching
    assert _late_by_25_ms_or_more() >= late_before + 1
    assert _sample("furusato_event_loop_lag_seconds_count") - timers_before >= 3


def test_each_collection_is_timed_under_its_oldest_generation() -> None:
    time_collections()
    time_collections()  # a second app in the process adds no second timer
    assert sum(isinstance(callback, _CollectorTimer) for callback in gc.callbacks) == 1
    full = {"generation": "2"}
    count, seconds = (
        _sample("furusato_gc_pause_seconds_count", full),
        _sample("furusato_gc_pause_seconds_sum", full),
    )
    gc.collect()
    # At least: reading the registry allocates, and may set off a collection of its own.
    assert _sample("furusato_gc_pause_seconds_count", full) >= count + 1
    assert _sample("furusato_gc_pause_seconds_sum", full) > seconds
