"""How long a worker could not answer anyone: its event loop's lag and the garbage collector's
pauses, as Prometheus histograms.

A worker answers all its requests on one event loop, so while anything holds the loop (a long
computation, a collection of the older generations, or the process waiting for a core) every
request in the worker waits, and the operations' latencies say only that they waited. The
loop's lag says whether the worker was stalled (a timer ran late) or its requests were waiting
on something else while it ran (the database); the collector's pauses say whether the
collector was the stall."""

from __future__ import annotations

import asyncio
import gc
import time
from functools import cache
from typing import Any

from prometheus_client import Histogram

# A timer every tenth of a second: often enough to see most stalls worth a look, cheap enough
# to run always.
LAG_INTERVAL_SECONDS = 0.1
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

LOOP_LAG = Histogram(
    "furusato_event_loop_lag_seconds",
    "How late a worker's event loop ran a timer set every 0.1 s: how long it was held by work"
    " that did not yield, or its process waited for a core.",
    buckets=_BUCKETS,
)
COLLECTOR_PAUSES = Histogram(
    "furusato_gc_pause_seconds",
    "The garbage collector's pauses, by the oldest generation collected (0, 1 or 2).",
    ["generation"],
    buckets=_BUCKETS,
)


async def watch_event_loop(interval: float = LAG_INTERVAL_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval
        await asyncio.sleep(interval)
        LOOP_LAG.observe(max(loop.time() - due, 0.0))


class _CollectorTimer:
    """gc.callbacks' callback: called as each collection starts and as it stops."""

    def __init__(self) -> None:
        self.started = 0.0
        self.series = [COLLECTOR_PAUSES.labels(str(generation)) for generation in range(3)]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.series[info["generation"]].observe(time.perf_counter() - self.started)


@cache
def time_collections() -> None:
    """From now on, for the rest of the process (once, however many apps it makes)."""
    gc.callbacks.append(_CollectorTimer())
