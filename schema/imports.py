"""The report of an import of a municipal list: the rows it turned away, and why."""

from __future__ import annotations

import strawberry

from persistence import tables


@strawberry.type(description="One reason a row was turned away.")
class RowProblem:
    code: str = strawberry.field(description="Stable UPPER_SNAKE code, e.g. FUTURE_DATE.")
    field: str | None = strawberry.field(description="The column at fault (its English name).")
    message: str


@strawberry.type(description="A row of the file that was not taken in, and every reason.")
class ImportRejection:
    line: int = strawberry.field(description="The row as a spreadsheet numbers it (header: 1).")
    external_id: str | None = strawberry.field(description="The row's key (外部ID), if it had one.")
    problems: list[RowProblem]

    @classmethod
    def from_row(cls, row: tables.ImportRejection) -> ImportRejection:
        return cls(
            line=row.line,
            external_id=row.external_id,
            problems=[
                RowProblem(code=p["code"] or "", field=p["field"], message=p["message"] or "")
                for p in row.problems
            ],
        )
