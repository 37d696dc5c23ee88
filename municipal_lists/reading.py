"""Reading a list file: CSV as Japanese spreadsheets save it (UTF-8, with or without a BOM, or
Shift_JIS/CP932) or an Excel workbook (its first sheet). Rows are numbered as a spreadsheet
shows them: the header is row 1. Empty rows are skipped."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date

from openpyxl import Workbook, load_workbook

from domain.imports import Cell
from services.imports import ListFile

XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is not a list this platform reads; nothing of it was imported."""


def read_list(name: str, content: bytes) -> tuple[ListFile, int]:
    """The list, and how many rows it has at most (for progress)."""
    if content.startswith(XLSX_MAGIC):
        return _workbook(name, content)
    return _csv(name, content)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the file is neither UTF-8 nor Shift_JIS (CP932) text")


def _filled(
    rows: Iterator[Sequence[Cell]], first_line: int
) -> Iterator[tuple[int, Sequence[Cell]]]:
    for line, cells in enumerate(rows, start=first_line):
        if any(cell is not None and cell != "" for cell in cells):
            yield line, cells


def _csv(name: str, content: bytes) -> tuple[ListFile, int]:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("the file is empty") from None
    except csv.Error as error:
        raise UnreadableFile(f"the header row is not CSV: {error}") from None
    return ListFile(name, header, _csv_rows(reader)), text.count("\n")


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, Sequence[Cell]]]:
    try:
        # A CSV cell is text: a row is empty when every text is.
        yield from ((line, cells) for line, cells in enumerate(reader, start=2) if any(cells))
    except csv.Error as error:
        raise UnreadableFile(f"the file stops being CSV: {error}") from None


def _workbook(name: str, content: bytes) -> tuple[ListFile, int]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(f"the file is not an Excel workbook (.xlsx): {error}") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise UnreadableFile("the first sheet is empty")
    cells = [_cell(value) for value in header]
    return ListFile(name, cells, _sheet_rows(workbook, rows)), sheet.max_row or 0


def _sheet_rows(
    workbook: Workbook, rows: Iterator[tuple[object, ...]]
) -> Iterator[tuple[int, Sequence[Cell]]]:
    try:
        yield from _filled((tuple(_cell(value) for value in row) for row in rows), 2)
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if isinstance(value, bool):
        return str(value)
    if value is None or isinstance(value, str | int | float | date):
        return value
    # Times of day and durations: as the text they show.
    return str(value)
