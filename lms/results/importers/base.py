"""The importer interface and the shared pieces: sheets, problems, grade parsing, file decoding.

Pure Python: no Flask, no database. An importer turns the bytes of an uploaded file into an
:class:`ImportedSheet` (raw rows plus problems); :mod:`lms.results.importers.preview` then matches
the rows against an offering's roster and validates the grades.

Cells are only ever read as text: a cell such as ``=1+1``, ``+33``, ``-5`` or ``@SUM(A1)`` is never
evaluated (XLSX formulas are read as their formula text, not their cached value) and is refused as
a grade unless it is a plain number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from lms.core.errors import Refusal
from lms.plugins.contributions import GradeImporter  # noqa: F401  (the interface lives with the other contributor types)

MAX_GRADE = Decimal(20)
ABSENT_WORDS = frozenset({"abs", "absent", "absente", "abj"})
EMPTY_WORDS = frozenset({"", "-"})  # Moodle writes "-" for "no grade"
_NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


# --- problems and sheets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, as ``FILE:LINE: message`` (LINE is the XLSX row number).

    ``line`` is None for problems with the whole file (``FILE: message``).
    """

    filename: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.filename if self.line is None else f"{self.filename}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedRow:
    """One data row of a file, as read: nothing is validated yet.

    ``learner_number`` is the learner number (plain formats) or Moodle's "ID number";
    ``email`` is Moodle's "Email address" (None for plain formats); ``grade`` is the raw cell text.
    """

    line: int
    learner_number: str | None
    grade: str
    email: str | None = None
    name: str = ""

    @property
    def key(self) -> str:
        """What identifies the learner in messages."""
        return self.learner_number or self.email or "?"


@dataclass
class ImportedSheet:
    """What an importer read from one file.

    ``columns`` lists the grade columns a format offers (Moodle: one per grade item) and
    ``column`` the one that was read; for formats with a single grade column both stay empty.
    When several columns exist and none was chosen (``needs_column``), ``rows`` is empty: ask the
    user to pick one of ``columns`` and read again with ``ImportOptions(grade_column=...)``.
    """

    filename: str
    importer: str
    rows: list[ImportedRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    column: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def needs_column(self) -> bool:
        return bool(self.columns) and self.column is None and not self.problems

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message))


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes before reading: the grade column of a multi-column format."""

    grade_column: str | None = None

    @classmethod
    def coerce(cls, options: ImportOptions | Mapping[str, Any] | None) -> ImportOptions:
        if options is None:
            return cls()
        if isinstance(options, ImportOptions):
            return options
        return cls(grade_column=options.get("grade_column") or None)


def has_extension(filename: str, extensions: tuple[str, ...]) -> bool:
    return filename.lower().rsplit("/", 1)[-1].endswith(extensions)


# --- grades ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A grade on /20 or "absent" (``grade`` is None when absent)."""

    grade: Decimal | None = None
    absent: bool = False

    @classmethod
    def of(cls, value: Any) -> Mark | None:
        """A current value as callers hold it: a Mark, a number (Decimal, int, float or text),
        ``"absent"``, a ``(grade, absent)`` pair, or None (no result yet)."""
        if value is None or isinstance(value, Mark):
            return value
        if isinstance(value, tuple):
            grade, absent = value
            if absent:
                return ABSENT
            return None if grade is None else cls(Decimal(str(grade)))
        if isinstance(value, str):
            return parse_grade(value)  # "12,5", "ABS", "" ...
        return cls(Decimal(str(value)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mark):
            return NotImplemented
        if self.absent or other.absent:
            return self.absent == other.absent
        return self.grade == other.grade  # Decimal: 12.5 == 12.50

    def __hash__(self) -> int:
        return hash(("absent",)) if self.absent else hash(self.grade)

    def __str__(self) -> str:
        if self.absent:
            return "ABS"
        assert self.grade is not None
        return format(self.grade.quantize(Decimal("0.01")), "f")


ABSENT = Mark(None, absent=True)


class GradeError(Refusal):
    """A grade that cannot be read or accepted; the message says why (next to its row or field)."""

    status = 422
    field = "grade"


def parse_grade(text: str) -> Mark | None:
    """The mark in ``text``: None for no grade ("" or Moodle's "-"), ``ABSENT`` for "ABS"/"absent".

    Accepts "12", "12.5", "12,5" (French decimal comma), "12.50"; refuses anything else — signs,
    formulas, "abc" — and grades outside 0–20 or with more than two decimals (GradeError).
    """
    raw = (text or "").strip()
    if raw in EMPTY_WORDS:
        return None
    if raw.lower() in ABSENT_WORDS:
        return ABSENT
    if raw.startswith("-") and _NUMBER.match(raw[1:]):
        raise GradeError(f"grade {text.strip()!r} is outside 0–20")
    match = _NUMBER.match(raw)
    if not match:
        raise GradeError(f"grade {text.strip()!r} is not a number")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already checked it
        raise GradeError(f"grade {text.strip()!r} is not a number") from None
    if value > MAX_GRADE:
        raise GradeError(f"grade {text.strip()!r} is outside 0–20")
    if value != value.quantize(Decimal("0.01")):
        raise GradeError(f"grade {text.strip()!r} has more than two decimals")
    return Mark(value.quantize(Decimal("0.01")))


# --- reading files -------------------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (";", "\t", ",")  # ties go to ";" (French spreadsheets, comma decimals)


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


def check_csv_bytes(sheet: ImportedSheet, data: bytes) -> str | None:
    """The text of a CSV upload, or None after recording why it cannot be read."""
    if not data.strip():
        sheet.problem(None, "the file is empty")
        return None
    if data.startswith(XLSX_MAGIC):
        sheet.problem(None, "this is an XLSX workbook, not a CSV file")
        return None
    if b"\x00" in data[:4096]:
        sheet.problem(None, "not a text file")
        return None
    return decode_text(data)


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
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


def xlsx_rows(sheet: ImportedSheet, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of each non-empty row of the first worksheet.

    Formulas are read as their text (``data_only=False``), never as a computed value.
    """
    if not data.strip():
        sheet.problem(None, "the file is empty")
        return
    if not data.startswith(XLSX_MAGIC):
        sheet.problem(None, "not an XLSX workbook")
        return
    from openpyxl import load_workbook  # imported lazily: only XLSX uploads need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's problem, not a crash
        sheet.problem(None, "not a readable XLSX workbook")
        return
    try:
        if not workbook.worksheets:
            sheet.problem(None, "the workbook has no worksheet")
            return
        worksheet = workbook.worksheets[0]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cells):
                yield number, cells
    except Exception:  # noqa: BLE001
        sheet.problem(None, "not a readable XLSX workbook")
    finally:
        workbook.close()


def normalise_header(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\ufeff", "")).strip().casefold()
