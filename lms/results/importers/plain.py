"""Plain two-column files: learner number, grade — as CSV or as an XLSX workbook.

The header row is optional. With a header, the two columns are found by name (other columns are
ignored); without one, each row must hold exactly the learner number and the grade. CSV files
may use "," or ";" (French spreadsheets) as separator and a decimal comma.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lms.core.tables import normalise_header
from lms.results.grades import N_
from lms.results.importers.base import (
    ImportedRow,
    ImportedSheet,
    ImportOptions,
    has_extension,
    read_rows,
)
from lms.results.importers.moodle import looks_like_moodle, maximum_in_header

NUMBER_HEADERS = frozenset(
    {
        "learner number", "learner", "learner no", "learner no.", "number", "student number",
        "id number", "numéro", "numero", "n°", "no", "numéro d'auditeur", "numero d'auditeur",
        "numéro auditeur", "matricule", "auditeur", "identifiant",
    }
)  # fmt: skip
GRADE_HEADERS = frozenset({"grade", "mark", "score", "note", "note /20", "note/20", "grade /20", "grade/20"})
GRADE_WORDS = ("grade", "mark", "score", "note")


def is_grade_header(name: str) -> bool:
    """Whether ``name`` is a grade header: "grade", "note"... or one out of a maximum ("note /100")."""
    return name in GRADE_HEADERS or (name.startswith(GRADE_WORDS) and maximum_in_header(name) is not None)


def rows_to_sheet(
    sheet: ImportedSheet, rows: Iterable[tuple[int, list[str]]], options: ImportOptions | None = None
) -> ImportedSheet:
    """Fill ``sheet`` from (line, cells) records of a plain learner-number/grade file; grades are
    out of ``options.out_of``, else of the maximum the grade header states ("note /100"), else 20."""
    options = options or ImportOptions()
    sheet.scale(None, options.out_of)
    number_col, grade_col, header_seen = 0, 1, False
    for line, cells in rows:
        if not header_seen:
            header_seen = True
            names = [normalise_header(cell) for cell in cells]
            if looks_like_moodle(names):
                sheet.problem(line, N_("this looks like a Moodle gradebook export: choose the Moodle format"))
                return sheet
            if any(name in NUMBER_HEADERS or is_grade_header(name) for name in names):
                number_col = next((i for i, n in enumerate(names) if n in NUMBER_HEADERS), None)
                grade_col = next((i for i, n in enumerate(names) if is_grade_header(n)), None)
                if number_col is None:
                    sheet.problem(line, N_("missing column: learner number"))
                if grade_col is None:
                    sheet.problem(line, N_("missing column: grade"))
                if number_col is None or grade_col is None:
                    return sheet
                sheet.scale(maximum_in_header(names[grade_col]), options.out_of)
                header = True
                continue
            header = False
        row = _plain_row(sheet, line, cells, number_col, grade_col, header)
        if row is not None:
            sheet.rows.append(row)
    if not header_seen:
        sheet.problem(None, N_("the file is empty"))
    elif not sheet.rows and sheet.ok:
        sheet.problem(None, N_("no grades in the file"))
    return sheet


def _plain_row(
    sheet: ImportedSheet, line: int, cells: list[str], number_col: int, grade_col: int, header: bool
) -> ImportedRow | None:
    if not header:
        width = len(cells)
        while len(cells) > 2 and not cells[-1]:
            cells = cells[:-1]
        if len(cells) > 2:
            sheet.problem(
                line,
                N_(
                    "expected 2 columns (learner number, grade), found %(count)d — quote decimal grades or use ';' as separator"
                ),
                count=len(cells),
            )
            return None
    number = cells[number_col] if number_col < len(cells) else ""
    grade = cells[grade_col] if grade_col < len(cells) else ""
    if not number:
        sheet.problem(line, N_("missing learner number"))
        return None
    if not header and width < 2:
        sheet.problem(line, N_("missing grade column for learner %(number)s"), number=number)
        return None
    return ImportedRow(line=line, learner_number=number, grade=grade)


class _PlainImporter:
    """Learner number and grade, in a CSV file or the first worksheet of an XLSX workbook."""

    name: str
    label: str
    extensions: tuple[str, ...]
    xlsx: bool
    wrong_name: str  # the problem when the file name has another extension

    def accepts(self, filename: str) -> bool:
        return has_extension(filename, self.extensions)

    def read(
        self, data: bytes, filename: str, options: ImportOptions | Mapping[str, Any] | None = None
    ) -> ImportedSheet:
        sheet = ImportedSheet(filename=filename, importer=self.name)
        if not self.accepts(filename):
            sheet.problem(None, self.wrong_name)
            return sheet
        rows = read_rows(sheet, data, xlsx=self.xlsx)
        if not sheet.ok:
            return sheet
        return rows_to_sheet(sheet, rows, ImportOptions.coerce(options))


class PlainCsvImporter(_PlainImporter):
    """Learner number and grade, as a CSV file."""

    name = "csv"
    label = "CSV (learner number, grade)"
    extensions = (".csv", ".txt")
    xlsx = False
    wrong_name = N_("not a CSV file (expected a .csv name)")


class PlainXlsxImporter(_PlainImporter):
    """Learner number and grade, in the first worksheet of an XLSX workbook."""

    name = "xlsx"
    label = "Excel XLSX (learner number, grade)"
    extensions = (".xlsx",)
    xlsx = True
    wrong_name = N_("not an XLSX file (expected a .xlsx name)")
