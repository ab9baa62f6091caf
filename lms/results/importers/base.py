"""The importer interface and the shared pieces: sheets, problems, marks (grades read by
:mod:`lms.results.grades`), reading the rows.

Pure Python: no Flask, no database. An importer turns the bytes of an uploaded file into an
:class:`ImportedSheet` (raw rows plus problems); :mod:`lms.results.importers.preview` then matches
the rows against an offering's roster and validates the grades.

Cells are only ever read as text: a cell such as ``=1+1``, ``+33``, ``-5`` or ``@SUM(A1)`` is never
evaluated (XLSX formulas are read as their formula text, not their cached value) and is refused as
a grade unless it is a plain number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lms.core.tables import Row, UnreadableFile, table_rows
from lms.plugins.contributions import GradeImporter  # noqa: F401  (the interface lives with the other contributor types)
from lms.results.grades import parse_grade

ABSENT_WORDS = frozenset({"abs", "absent", "absente", "abj"})
EMPTY_WORDS = frozenset({"", "-"})  # Moodle writes "-" for "no grade"


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
            return parse_mark(value)  # "12,5", "ABS", "" ...
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


def parse_mark(text: str) -> Mark | None:
    """The mark in a file's cell: None for no grade ("" or Moodle's "-"), ``ABSENT`` for
    "ABS"/"absent", else the grade read by :func:`lms.results.grades.parse_grade` (GradeError)."""
    raw = (text or "").strip()
    if raw in EMPTY_WORDS:
        return None
    if raw.lower() in ABSENT_WORDS:
        return ABSENT
    return Mark(parse_grade(raw))


# --- reading files -------------------------------------------------------------------------------------


def read_rows(sheet: ImportedSheet, data: bytes, *, xlsx: bool) -> Iterable[Row]:
    """The rows of ``data`` (:func:`lms.core.tables.table_rows`), or none after recording in
    ``sheet`` why the file cannot be read."""
    try:
        return table_rows(data, xlsx=xlsx)
    except UnreadableFile as error:
        sheet.problem(None, str(error))
        return []
