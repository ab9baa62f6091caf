"""The rows of a results file, read and checked one by one, before any database access.

Pure Python (no Flask, no database): the header, then each row's cells turned into a
:class:`FileRow` or a problem (English text; the command prints ``FILE:LINE: problem``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from lms.core.tables import sniff_delimiter
from lms.results.grades import GradeError, parse_grade

REQUIRED = ("learner_number", "unit", "academic_year", "semester", "modality", "centre", "exam_session")
OPTIONAL = ("grade", "absent", "decision", "comment", "decided_on", "reason")
COLUMNS = REQUIRED + OPTIONAL
SEMESTERS = ("S1", "S2", "A")
MODALITIES = (
    "presentiel_jour",
    "presentiel_soir",
    "hybride_jour",
    "hybride_soir",
    "foad",
    "distance_planifiee_jour",
    "distance_planifiee_soir",
)  # lms.timetable.models.Modality (kept here: this module imports no model)
DECISIONS = ("validated", "not_validated")
TRUE_WORDS = frozenset({"1", "yes", "y", "true", "x", "abs", "absent", "oui", "o"})
FALSE_WORDS = frozenset({"", "0", "no", "n", "false", "non"})
COMMENT_MAX = 2000


class RowProblem(ValueError):
    """What is wrong with one row (English, for ``FILE:LINE: problem``)."""


class HeaderProblem(ValueError):
    """The header row cannot be used: ``problems`` lists why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


OfferingKey = tuple[str, int, str, str, str]  # unit code, academic year, semester, modality, centre code


@dataclass(frozen=True, slots=True)
class FileRow:
    """One checked row: the value it gives and where it goes (learner and offering not looked up yet).

    ``comment`` is None when the file has no comment column (the current comment is kept);
    ``decided_on`` and ``reason`` are None when blank."""

    line: int
    learner_number: str
    offering: OfferingKey
    session: int
    grade: Decimal | None
    absent: bool
    decision: str | None
    comment: str | None
    decided_on: date | None
    reason: str | None
    has_comment: bool


class Header:
    """Where each column is in the file."""

    def __init__(self, cells: list[str]):
        names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
        problems = []
        unknown = [name for name in names if name and name not in COLUMNS]
        if unknown:
            problems.append(f"unknown column: {', '.join(unknown)} (columns: {', '.join(COLUMNS)})")
        seen = set()
        for name in names:
            if name in seen and name:
                problems.append(f"column {name} given twice")
            seen.add(name)
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            problems.append(f"missing column: {', '.join(missing)}")
        if not any(name in names for name in ("grade", "absent", "decision")):
            problems.append("missing column: grade (or absent, or decision)")
        if problems:
            raise HeaderProblem(problems)
        self.width = len(names)
        self.index = {name: names.index(name) for name in COLUMNS if name in names}
        self.order = tuple(self.index.get(name) for name in COLUMNS)
        self.has_comment = "comment" in self.index


def open_rows(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each non-blank record of a CSV text stream, the header first; the
    separator ("," or ";" or a tab) is the one of the first line. Reads as it goes."""
    first = stream.readline()
    delimiter = sniff_delimiter(first)
    lines = _chain(first, stream)
    reader = csv.reader(lines, delimiter=delimiter)
    for cells in reader:
        if cells and "".join(cells).strip():
            yield reader.line_num, cells


def _chain(first: str, stream: IO[str]) -> Iterator[str]:
    yield first
    yield from stream


def read_row(header: Header, line: int, cells: list[str]) -> FileRow:
    """The row's checked value, or :class:`RowProblem`."""
    if len(cells) != header.width:
        while len(cells) > header.width and not cells[-1].strip():
            cells = cells[:-1]
        if len(cells) != header.width:
            raise RowProblem(f"expected {header.width} cells, found {len(cells)}")
    (
        number,
        unit,
        year_text,
        semester,
        modality,
        centre,
        session_text,
        grade_text,
        absent_text,
        decision,
        comment,
        decided_text,
        reason,
    ) = ("" if index is None else cells[index].strip() for index in header.order)
    if not number:
        raise RowProblem("missing learner number")
    unit = unit.upper()
    if not unit:
        raise RowProblem("missing unit")
    if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
        raise RowProblem(f"academic_year “{year_text}” is not a year (the year the academic year starts, e.g. 2025)")
    semester = semester.upper()
    if semester not in SEMESTERS:
        raise RowProblem(f"semester “{semester}” is not one of {', '.join(SEMESTERS)}")
    modality = modality.lower()
    if modality not in MODALITIES:
        raise RowProblem(f"modality “{modality}” is not one of {', '.join(MODALITIES)}")
    centre = centre.upper()
    if not centre:
        raise RowProblem("missing centre")
    if session_text not in ("1", "2"):
        raise RowProblem(f"exam_session “{session_text}” is not 1 or 2")
    try:
        grade = parse_grade(grade_text)
    except GradeError as error:
        raise RowProblem(error.msgid % error.params) from None
    absent_text = absent_text.lower()
    if absent_text in TRUE_WORDS:
        absent = True
    elif absent_text in FALSE_WORDS:
        absent = False
    else:
        raise RowProblem(f"absent “{absent_text}” is not yes or no (1 or 0)")
    if absent and grade is not None:
        raise RowProblem("a learner marked absent has no grade")
    decision = decision.lower() or None
    if decision is not None and decision not in DECISIONS:
        raise RowProblem(f"decision “{decision}” is not one of {', '.join(DECISIONS)}")
    if absent and decision is not None:
        raise RowProblem("a learner marked absent has no decision")
    has_comment = header.has_comment
    comment = comment or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise RowProblem("the comment is longer than 2,000 characters")
    if grade is None and not absent and decision is None and comment is None:
        raise RowProblem("no grade, absent or decision: nothing to import")
    decided_on = None
    if decided_text:
        try:
            decided_on = date.fromisoformat(decided_text)
        except ValueError:
            raise RowProblem(f"decided_on “{decided_text}” is not a date (YYYY-MM-DD)") from None
    reason = reason or None
    return FileRow(
        line,
        number,
        (unit, int(year_text), semester, modality, centre),
        int(session_text),
        grade,
        absent,
        decision,
        comment,
        decided_on,
        reason,
        has_comment,
    )


__all__ = [
    "COLUMNS",
    "OPTIONAL",
    "REQUIRED",
    "FileRow",
    "Header",
    "HeaderProblem",
    "RowProblem",
    "open_rows",
    "read_row",
]
