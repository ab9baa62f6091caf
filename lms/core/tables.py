"""Rows of an uploaded table — a CSV file or the first worksheet of an XLSX workbook — as text
cells: one reader for grade imports and attendance reports. Pure Python (no Flask, no database).

Cells are only ever read as text: an XLSX formula is read as its formula text, never as a computed
value, and nothing is evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (";", "\t", ",")  # ties go to ";" (French spreadsheets, comma decimals)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")

Row = tuple[int, list[str]]  # (line or row number, stripped cell texts)


class UnreadableFile(ValueError):
    """A file that is not a table of the expected kind. ``kind`` says why (one of ``REASONS``);
    ``str()`` is the reason in English, for ``FILE: reason`` problem lines."""

    REASONS = {
        "empty": "the file is empty",
        "xlsx_not_csv": "this is an XLSX workbook, not a CSV file",
        "not_text": "not a text file",
        "not_xlsx": "not an XLSX workbook",
        "unreadable_xlsx": "not a readable XLSX workbook",
        "no_worksheet": "the workbook has no worksheet",
    }

    def __init__(self, kind: str):
        super().__init__(self.REASONS[kind])
        self.kind = kind


def table_rows(data: bytes, *, xlsx: bool) -> Iterable[Row]:
    """The non-empty rows of ``data``, read as XLSX or as CSV; :class:`UnreadableFile` at once
    when the bytes are not such a file (CSV rows are then read lazily, XLSX rows at once)."""
    return xlsx_rows(data) if xlsx else csv_rows(csv_text(data))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as French Excel writes CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The separator giving the most fields on the first non-empty line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([first], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def csv_text(data: bytes) -> str:
    """The text of a CSV upload, or :class:`UnreadableFile`."""
    if not data.strip():
        raise UnreadableFile("empty")
    if data.startswith(XLSX_MAGIC):
        raise UnreadableFile("xlsx_not_csv")
    if b"\x00" in data[:4096]:
        raise UnreadableFile("not_text")
    return decode_text(data)


def csv_rows(text: str) -> Iterator[Row]:
    """(first line number, stripped cells) of each non-empty CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    start = 1
    for record in reader:
        cells = [cell.strip() for cell in record]
        if any(cells):
            yield start, cells
        start = reader.line_num + 1


def cell_text(value: Any) -> str:
    """The text of an XLSX cell value; numbers without float noise ("12.5", "12345")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def xlsx_rows(data: bytes) -> list[Row]:
    """(row number, cell texts) of each non-empty row of the first worksheet, or
    :class:`UnreadableFile`. Formulas are read as their text (``data_only=False``)."""
    if not data.strip():
        raise UnreadableFile("empty")
    if not data.startswith(XLSX_MAGIC):
        raise UnreadableFile("not_xlsx")
    from openpyxl import load_workbook  # imported lazily: only XLSX uploads need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's problem, not a crash
        raise UnreadableFile("unreadable_xlsx") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("no_worksheet")
        rows = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cells):
                rows.append((number, cells))
        return rows
    except UnreadableFile:
        raise
    except Exception:  # noqa: BLE001
        raise UnreadableFile("unreadable_xlsx") from None
    finally:
        workbook.close()


def normalise_header(text: str) -> str:
    """A header cell compared loosely: no BOM, spaces folded (no-break ones too), case-folded."""
    return _SPACES.sub(" ", text.replace("\ufeff", "")).strip().casefold()
