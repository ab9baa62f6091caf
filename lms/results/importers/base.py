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
from lms.results.grades import MAX_GRADE, N_, parse_grade

ABSENT_WORDS = frozenset({"abs", "absent", "absente", "abj"})
EMPTY_WORDS = frozenset({"", "-"})  # Moodle writes "-" for "no grade"


# --- messages, problems and sheets -------------------------------------------------------------------


@dataclass(frozen=True)
class Msg:
    """A message to translate where it is shown: an English ``msgid`` (marked with ``N_``) and its
    ``params``, which may be messages themselves. ``str()`` is the English text (command lines,
    logs); a page calls :meth:`render` with its ``gettext`` and its number formatter."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Any = None, number: Any = None) -> str:
        """The text through ``gettext`` (none: English), Decimal params through ``number``."""
        params = {}
        for key, value in self.params.items():
            if isinstance(value, Msg):
                value = value.render(gettext, number)
            elif isinstance(value, Decimal) and number is not None:
                value = number(value)
            params[key] = value
        text = gettext(self.msgid) if gettext is not None else self.msgid
        return text % params if params else text

    def __str__(self) -> str:
        return self.render()


def msg(message: str | Msg, **params: Any) -> Msg:
    """``message`` as a :class:`Msg` (a plain string from a plugin's importer is kept as it is)."""
    return message if isinstance(message, Msg) else Msg(message, params)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, as ``FILE:LINE: message`` (LINE is the XLSX row number).

    ``line`` is None for problems with the whole file (``FILE: message``). ``message`` is a
    :class:`Msg`: ``str()`` gives the English line, pages translate it.
    """

    filename: str
    line: int | None
    message: Msg

    @property
    def where(self) -> str:
        return self.filename if self.line is None else f"{self.filename}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


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
    out_of: Decimal | None = None  # the grades' maximum when it is not 20 (read or given)
    out_of_source: str | None = None  # "header" (read from the column header) or "given"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def needs_column(self) -> bool:
        return bool(self.columns) and self.column is None and not self.problems

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def problem(self, line: int | None, message: str | Msg, **params: Any) -> None:
        self.problems.append(Problem(self.filename, line, msg(message, **params)))

    def scale(self, read: Decimal | None, given: Decimal | None) -> None:
        """Grades are out of ``given`` (the user's choice) else ``read`` (from the file), else 20."""
        out_of, source = (given, "given") if given is not None else (read, "header")
        if out_of is not None and out_of != MAX_GRADE:
            self.out_of, self.out_of_source = out_of, source


@dataclass(frozen=True)
class ImportOptions:
    """Choices the user makes before reading: the grade column of a multi-column format and the
    maximum the grades are out of ("Note sur"), when it is not 20 nor written in the file."""

    grade_column: str | None = None
    out_of: Decimal | None = None

    @classmethod
    def coerce(cls, options: ImportOptions | Mapping[str, Any] | None) -> ImportOptions:
        if options is None:
            return cls()
        if isinstance(options, ImportOptions):
            return options
        return cls(grade_column=options.get("grade_column") or None, out_of=_maximum(options.get("out_of")))


def _maximum(value: Any) -> Decimal | None:
    """A maximum passed as a number or text ("100", "12,5"); None when blank or not one."""
    if value in (None, ""):
        return None
    try:
        maximum = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return None
    return maximum if maximum.is_finite() and maximum > 0 else None


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


def parse_mark(text: str, out_of: Decimal | None = None) -> Mark | None:
    """The mark in a file's cell: None for no grade ("" or Moodle's "-"), ``ABSENT`` for
    "ABS"/"absent", else the grade read by :func:`lms.results.grades.parse_grade` (GradeError),
    rescaled to /20 when the file's grades are ``out_of`` another maximum."""
    raw = (text or "").strip()
    if raw in EMPTY_WORDS:
        return None
    if raw.lower() in ABSENT_WORDS:
        return ABSENT
    if out_of is not None and raw.endswith("%"):  # Moodle's percentages: "72.50 %"
        raw = raw[:-1].rstrip()
    return Mark(parse_grade(raw, out_of if out_of is not None else MAX_GRADE))


# --- reading files -------------------------------------------------------------------------------------

UNREADABLE = {
    "empty": N_("the file is empty"),
    "xlsx_not_csv": N_("this is an XLSX workbook, not a CSV file"),
    "not_text": N_("not a text file"),
    "not_xlsx": N_("not an XLSX workbook"),
    "unreadable_xlsx": N_("not a readable XLSX workbook"),
    "no_worksheet": N_("the workbook has no worksheet"),
}  # lms.core.tables.UnreadableFile.REASONS, marked for translation


def read_rows(sheet: ImportedSheet, data: bytes, *, xlsx: bool) -> Iterable[Row]:
    """The rows of ``data`` (:func:`lms.core.tables.table_rows`), or none after recording in
    ``sheet`` why the file cannot be read."""
    try:
        return table_rows(data, xlsx=xlsx)
    except UnreadableFile as error:
        sheet.problem(None, UNREADABLE.get(error.kind, str(error)))
        return []
