"""What the command line shows of an import as it runs: a progress bar on a terminal, and the
row report (every row's outcome, with its line and reasons) as CSV."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from domain.errors import Problem
from domain.imports import Cell, RowOutcome

BAR_WIDTH = 30
# Rows between two redraws of the bar.
REDRAW_EVERY = 10_000
REPORT_HEADER = ("line", "external_id", "outcome", "codes", "reasons")


class RowReportWriter:
    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow(REPORT_HEADER)

    def __call__(
        self, line: int, key: str | None, outcome: RowOutcome, why: tuple[Problem, ...]
    ) -> None:
        self._writer.writerow(
            (
                line,
                key or "",
                outcome.value,
                " ".join(problem.code for problem in why),
                "; ".join(f"{problem.field}: {problem.message}" for problem in why),
            )
        )


def with_progress(
    rows: Iterable[tuple[int, Sequence[Cell]]], total: int, out: TextIO = sys.stderr
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """The rows as they are, drawing a bar on a terminal as they pass."""
    if not out.isatty():
        yield from rows
        return
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % REDRAW_EVERY == 0:
            _draw(done, total, out)
    _draw(done, max(done, 1), out)
    out.write("\n")


def _draw(done: int, total: int, out: TextIO) -> None:
    share = min(done / total, 1.0) if total else 1.0
    filled = int(share * BAR_WIDTH)
    out.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {done:,} rows")
    out.flush()
