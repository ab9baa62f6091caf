"""Moodle gradebook exports, CSV or XLSX, as Moodle writes them.

Columns: "First name", "Last name", the user identity fields ("ID number", "Institution",
"Department", "Email address", ...), one column per grade item ("Assignment: Final exam (Real)",
"Course total (Real)", ...) and "Last downloaded from this course". The user picks the grade
column; "-" means no grade. Learners are identified by ID number (their learner number) or
e-mail. The French headers Moodle writes ("Prénom", "Numéro d'identification",
"Adresse de courriel", ...) are understood too. CSV exports may start with a UTF-8 BOM and use
",", ";" or tab as separator.

Grades out of another maximum than 20 are rescaled to /20 (:func:`lms.results.grades.rescale`):
the maximum is the one the user gives ("Out of"), else the one the column header states
(:func:`maximum_in_header`: "Course total (Percentage)", "Exam /100", "Note sur 50"), else 20.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
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

FIRST_NAME = frozenset({"first name", "prénom", "prenom"})
LAST_NAME = frozenset({"last name", "surname", "nom", "nom de famille"})
ID_NUMBER = frozenset({"id number", "idnumber", "numéro d'identification", "numero d'identification"})
EMAIL = frozenset({"email address", "email", "e-mail", "adresse de courriel", "adresse courriel", "courriel"})
LAST_DOWNLOADED = frozenset({"last downloaded from this course", "dernier téléchargement depuis ce cours"})
OTHER_IDENTITY = frozenset(
    {
        "institution", "department", "département", "departement", "username", "nom d'utilisateur",
        "phone", "mobile phone", "téléphone", "téléphone mobile", "address", "adresse", "city",
        "ville", "country", "pays", "groups", "groupes",
    }
)  # fmt: skip
NOT_GRADES = FIRST_NAME | LAST_NAME | ID_NUMBER | EMAIL | LAST_DOWNLOADED | OTHER_IDENTITY


PERCENTAGE = frozenset({"(percentage)", "(pourcentage)", "%"})
_OUT_OF = re.compile(r"(?:/|\bsur\b|\bout of\b)\s*(\d+(?:[.,]\d{1,2})?)\s*\)?\s*$")


def maximum_in_header(header: str) -> Decimal | None:
    """The maximum a grade column header states: 100 for Moodle's percentages ("Course total
    (Percentage)", "Total du cours (Pourcentage)"), N for "… /N", "… sur N", "… out of N"; None
    for a header that says nothing ("Course total (Real)", "Total du cours (Réel)": /20 unless
    the user says otherwise)."""
    name = normalise_header(header)
    if any(name.endswith(word) for word in PERCENTAGE):
        return Decimal(100)
    match = _OUT_OF.search(name)
    if match is None:
        return None
    value = Decimal(match.group(1).replace(",", "."))
    return value if value > 0 else None


def looks_like_moodle(names: Iterable[str]) -> bool:
    """Whether normalised header names are those of a Moodle gradebook export."""
    names = set(names)
    return bool(names & (ID_NUMBER | EMAIL)) and bool(names & (FIRST_NAME | LAST_DOWNLOADED))


def _find(names: list[str], wanted: frozenset[str]) -> int | None:
    return next((i for i, name in enumerate(names) if name in wanted), None)


def rows_to_sheet(sheet: ImportedSheet, rows: Iterable[tuple[int, list[str]]], options: ImportOptions) -> ImportedSheet:
    records = iter(rows)
    first = next(records, None)
    if first is None:
        sheet.problem(None, N_("the file is empty"))
        return sheet
    header_line, headers = first
    names = [normalise_header(cell) for cell in headers]
    id_col, email_col = _find(names, ID_NUMBER), _find(names, EMAIL)
    if id_col is None and email_col is None:
        sheet.problem(header_line, N_('not a Moodle gradebook export: missing column "ID number" or "Email address"'))
        return sheet
    first_col, last_col = _find(names, FIRST_NAME), _find(names, LAST_NAME)
    grade_cols = {
        header.replace("\ufeff", "").strip(): i
        for i, (header, name) in enumerate(zip(headers, names, strict=True))
        if name and name not in NOT_GRADES
    }
    sheet.columns = list(grade_cols)
    if not grade_cols:
        sheet.problem(header_line, N_("missing column: no grade item in the export"))
        return sheet
    wanted = options.grade_column
    if wanted is None:
        if len(grade_cols) > 1:
            return sheet  # needs_column: the user picks one of sheet.columns
        wanted = sheet.columns[0]
    column = grade_cols.get(wanted.strip())
    if column is None:
        column = next((i for h, i in grade_cols.items() if normalise_header(h) == normalise_header(wanted)), None)
    if column is None:
        sheet.problem(
            header_line,
            N_("missing column: '%(column)s' (grade columns: %(columns)s)"),
            column=wanted,
            columns=", ".join(sheet.columns),
        )
        return sheet
    sheet.column = next(h for h, i in grade_cols.items() if i == column)
    sheet.scale(maximum_in_header(sheet.column), options.out_of)

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    for line, cells in records:
        number, email = cell(cells, id_col), cell(cells, email_col)
        name = " ".join(part for part in (cell(cells, first_col), cell(cells, last_col)) if part)
        if not number and not email:
            if name:
                sheet.problem(line, N_("no ID number or e-mail address for %(name)s"), name=name)
            else:
                sheet.problem(line, N_("no ID number or e-mail address"))
            continue
        sheet.rows.append(
            ImportedRow(
                line=line, learner_number=number or None, grade=cell(cells, column), email=email or None, name=name
            )
        )
    if not sheet.rows and sheet.ok:
        sheet.problem(None, N_("no learners in the file"))
    return sheet


class MoodleImporter:
    """A Moodle gradebook export (CSV or XLSX)."""

    name = "moodle"
    label = "Moodle gradebook export (CSV or XLSX)"
    extensions = (".csv", ".xlsx")

    def accepts(self, filename: str) -> bool:
        return has_extension(filename, self.extensions)

    def read(
        self, data: bytes, filename: str, options: ImportOptions | Mapping[str, Any] | None = None
    ) -> ImportedSheet:
        options = ImportOptions.coerce(options)
        sheet = ImportedSheet(filename=filename, importer=self.name)
        if not self.accepts(filename):
            sheet.problem(None, N_("not a Moodle export (expected a .csv or .xlsx name)"))
            return sheet
        rows = list(read_rows(sheet, data, xlsx=has_extension(filename, (".xlsx",))))
        if not sheet.ok:
            return sheet
        return rows_to_sheet(sheet, rows, options)
