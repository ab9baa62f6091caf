"""Grade importers: plain CSV, plain XLSX and Moodle gradebook exports (CSV and XLSX) read into
sheets, the dry-run preview against a roster, registration through ``lms_grade_importers``, and
formula-looking cells read as text, never evaluated. Pure: no app, no database."""

from __future__ import annotations

import ast
import io
import types
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from lms.plugins import hookimpl
from lms.plugins.manager import BUILTIN_PLUGINS, create_plugin_manager
from lms.results import importers
from lms.results.importers import (
    ABSENT,
    GradeError,
    GradeImporter,
    ImportedRow,
    ImportedSheet,
    ImportOptions,
    Mark,
    MoodleImporter,
    PlainCsvImporter,
    PlainXlsxImporter,
    available_importers,
    importer_named,
    importers_for,
    parse_mark,
    preview,
)

FIXTURES = Path(__file__).parent / "fixtures"
FINAL = "Assignment: Final exam (Real)"
QUIZ = "Quiz: Week 3, revision (Real)"
TOTAL = "Course total (Real)"
MOODLE_HEADER = [
    "First name", "Last name", "ID number", "Institution", "Department", "Email address",
    FINAL, QUIZ, TOTAL, "Last downloaded from this course",
]  # fmt: skip
DOWNLOADED = "Saturday, 22 November 2026, 5:45 AM"
# Moodle's XLSX export writes numeric grades as numbers and "-" (no grade) as text.
MOODLE_ROWS = [
    ["Ada", "Lovelace", "10001", "Cnam", "Informatique", "ada@example.org", 12.5, 8, 11.25, DOWNLOADED],
    ["Alan", "Turing", "", "Cnam", "Informatique", "Alan.Turing@Example.ORG", 15, "-", 14, DOWNLOADED],
    ["Grace", "Hopper", "10003", "Cnam", "Informatique", "grace@example.org", "-", "-", "-", DOWNLOADED],
    ["Kurt", "Gödel", "99999", "Cnam", "Maths", "kurt@example.org", 21, 10, 18, DOWNLOADED],
    ["Emmy", "Noether", "10005", "Cnam", "Maths", "emmy@example.org", "abc", 9.5, 9.5, DOWNLOADED],
    ["Hedy", "Lamarr", "77777", "Cnam", "Maths", "hedy@example.org",
     '=HYPERLINK("http://evil.example","18")', 7, 7, DOWNLOADED],
]  # fmt: skip

# learner number → (learner id, e-mail): the registered learners of the offering.
ROSTER = {
    "10001": (1, "ada@example.org"),
    "10002": (2, "alan.turing@example.org"),
    "10003": (3, "grace@example.org"),
    "10004": (4, "barbara@example.org"),
    "10005": (5, "emmy@example.org"),
    "10006": (6, "hedy@example.org"),
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xlsx_bytes(rows, *, sheets: int = 1, text_formulas: bool = False) -> bytes:
    """An XLSX workbook with ``rows`` on its first sheet (and decoy data on the others)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if text_formulas:  # strings that merely look like formulas, stored as text
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    for n in range(1, sheets):
        other = wb.create_sheet(f"Other {n}")
        other.append(["learner number", "grade"])
        other.append(["10001", 20])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_moodle_xlsx(path: Path) -> Path:
    """The Moodle export of ``MOODLE_ROWS`` as an XLSX file (how fixtures/moodle_export.xlsx was made)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Grades"
    ws.append(MOODLE_HEADER)
    for row in MOODLE_ROWS:
        ws.append(row)
    ws["G7"].data_type = "s"  # Moodle writes the cell text; it is not a formula in Moodle's file
    wb.save(path)
    return path


def with_cached_value(data: bytes, formula: str, cached: str) -> bytes:
    """``data`` with the cached result ``cached`` stored next to ``formula`` (as Excel would)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                before = f"<f>{formula}</f><v />".encode()
                assert before in content
                content = content.replace(before, f"<f>{formula}</f><v>{cached}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def rows(sheet: ImportedSheet) -> list[tuple]:
    return [(r.line, r.learner_number, r.grade) for r in sheet.rows]


# --- the interface and the plugin hook -------------------------------------------------------------


def test_builtin_importers_come_from_the_plugin_hook():
    assert "lms.results.importers.plugin" in BUILTIN_PLUGINS
    found = available_importers(create_plugin_manager())
    assert [i.name for i in found] == ["csv", "xlsx", "moodle"]
    for importer in found:
        assert isinstance(importer, GradeImporter)
        assert importer.label
    assert isinstance(importer_named(create_plugin_manager(), "moodle"), MoodleImporter)
    assert importer_named(create_plugin_manager(), "nope") is None


def test_accepts_by_extension():
    csv_, xlsx, moodle = PlainCsvImporter(), PlainXlsxImporter(), MoodleImporter()
    assert csv_.accepts("notes.CSV") and not csv_.accepts("notes.xlsx") and not csv_.accepts("notes.csv.exe")
    assert xlsx.accepts("notes.xlsx") and not xlsx.accepts("notes.xls") and not xlsx.accepts("notes.csv")
    assert moodle.accepts("Cours-Notes.csv") and moodle.accepts("Cours-Notes.xlsx") and not moodle.accepts("x.ods")
    names = {i.name for i in importers_for(create_plugin_manager(), "grades.xlsx")}
    assert names == {"xlsx", "moodle"}


class TabImporter:
    """A format contributed by an external plugin: tab-separated number and grade."""

    name = "tsv"
    label = "Tab-separated"

    def accepts(self, filename: str) -> bool:
        return filename.endswith(".tsv")

    def read(self, data, filename, options=None):
        sheet = ImportedSheet(filename=filename, importer=self.name)
        for line, text in enumerate(data.decode().splitlines(), start=1):
            number, grade = text.split("\t")
            sheet.rows.append(ImportedRow(line=line, learner_number=number, grade=grade))
        return sheet


def importer_plugin(name: str, *contributed: object) -> types.ModuleType:
    module = types.ModuleType(name)

    @hookimpl
    def lms_grade_importers():
        return list(contributed)

    module.lms_grade_importers = lms_grade_importers
    return module


def test_another_format_is_one_plugin_away():
    pm = create_plugin_manager(extra=[importer_plugin("tsv_plugin", TabImporter())])
    found = available_importers(pm)
    assert [i.name for i in found] == ["csv", "xlsx", "moodle", "tsv"]
    importer = importer_named(pm, "tsv")
    assert [i.name for i in importers_for(pm, "grades.tsv")] == ["tsv"]
    result = preview(importer.read(b"10001\t13,5\n10002\tABS\n", "grades.tsv"), ROSTER, {})
    assert result.ok and result.values() == {1: Mark(Decimal("13.50")), 2: ABSENT}


def test_a_plugin_may_replace_a_builtin_importer_by_name():
    class BetterMoodle(TabImporter):
        name = "moodle"

    pm = create_plugin_manager(extra=[importer_plugin("better_moodle", BetterMoodle())])
    assert [type(i).__name__ for i in available_importers(pm)] == [
        "PlainCsvImporter", "PlainXlsxImporter", "BetterMoodle",
    ]  # fmt: skip


def test_a_broken_importer_is_refused_loudly():
    pm = create_plugin_manager(extra=[importer_plugin("broken", object())])
    with pytest.raises(TypeError, match="not a grade importer"):
        available_importers(pm)


def test_disabling_the_results_area_removes_the_builtin_importers():
    assert available_importers(create_plugin_manager(disabled=["lms.results.importers.plugin"])) == []


# Pure modules the importers may use: the table reader and the grade parser.
PURE_SHARED = ("lms.core.tables", "lms.results.grades", "lms.core.errors")


def test_importers_are_pure_python():
    """No Flask, no database: the package and the shared modules it uses import neither."""
    package = Path(importers.__file__).parent
    shared = [Path(importers.__file__).parents[3] / (name.replace(".", "/") + ".py") for name in PURE_SHARED]
    for source in [*package.glob("*.py"), *shared]:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    assert not name.startswith(("flask", "sqlalchemy", "lms.extensions")), (source.name, name)
                    allowed = ("lms.results.importers", "lms.plugins", *PURE_SHARED)
                    assert not name.startswith("lms.") or name.startswith(allowed), (source.name, name)


# --- grades --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Mark(Decimal(12))),
        ("12.5", Mark(Decimal("12.5"))),
        ("12,5", Mark(Decimal("12.50"))),
        (" 8,75 ", Mark(Decimal("8.75"))),
        ("0", Mark(Decimal(0))),
        ("20", Mark(Decimal(20))),
        ("20,00", Mark(Decimal(20))),
        ("12.500", Mark(Decimal("12.5"))),
        ("ABS", ABSENT),
        ("abs", ABSENT),
        ("Absent", ABSENT),
        ("", None),
        ("-", None),
        ("  ", None),
    ],
)
def test_parse_mark_accepts(text, expected):
    assert parse_mark(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("21", "outside 0–20"),
        ("20.01", "outside 0–20"),
        ("-5", "outside 0–20"),
        ("abc", "is not a grade"),
        ("12.345", "more than two decimals"),
        ("12,005", "more than two decimals"),
        ("+12", "is not a grade"),
        ("=1+1", "is not a grade"),
        ("=10+5", "is not a grade"),
        ("@SUM(A1)", "is not a grade"),
        ("-2+3", "is not a grade"),
        ("1e1", "is not a grade"),
        ("NaN", "is not a grade"),
        ("12..5", "is not a grade"),
        ("12/20", "is not a grade"),
        ("1 2,5", "is not a grade"),
    ],
)
def test_parse_mark_refuses(text, reason):
    with pytest.raises(GradeError, match=reason):
        parse_mark(text)


def test_marks_compare_by_value_and_print_with_two_decimals():
    assert Mark.of("12.5") == Mark.of(Decimal("12.50")) == Mark.of((12.5, False))
    assert Mark.of("absent") == Mark.of((None, True)) == ABSENT != Mark.of(0)
    assert Mark.of(None) is None and Mark.of((None, False)) is None and Mark.of("") is None
    assert Mark.of("12,5") == Mark.of(12.5) and Mark.of("ABS") == ABSENT
    assert str(Mark.of(12.5)) == "12.50" and str(ABSENT) == "ABS"
    assert len({Mark.of("12.5"), Mark.of("12.50"), ABSENT, Mark.of((None, True))}) == 2


# --- plain CSV ----------------------------------------------------------------------------------------


def test_plain_csv_with_header_and_commas():
    sheet = PlainCsvImporter().read(fixture("plain_good.csv"), "plain_good.csv")
    assert sheet.ok and sheet.columns == [] and not sheet.needs_column
    assert rows(sheet) == [(2, "10001", "12.5"), (3, "10002", "15"), (5, "10003", "ABS"), (6, "10004", "8.75")]
    result = preview(sheet, ROSTER, {})
    assert result.clean
    assert result.values() == {1: Mark(Decimal("12.5")), 2: Mark(Decimal(15)), 3: ABSENT, 4: Mark(Decimal("8.75"))}


def test_plain_csv_with_bom_semicolons_comma_decimals_and_no_header():
    sheet = PlainCsvImporter().read(fixture("plain_bom_semicolon.csv"), "plain_bom_semicolon.csv")
    assert sheet.ok
    assert rows(sheet) == [(1, "10001", "12,5"), (2, "10002", "15"), (3, "10003", "absent"), (4, "10004", "8,75")]
    assert preview(sheet, ROSTER, {}).values() == {
        1: Mark(Decimal("12.5")), 2: Mark(Decimal(15)), 3: ABSENT, 4: Mark(Decimal("8.75")),
    }  # fmt: skip


def test_plain_csv_in_windows_1252_as_french_excel_writes_it():
    data = "numéro;note\r\n10001;12,5\r\n".encode("cp1252")
    sheet = PlainCsvImporter().read(data, "notes.csv")
    assert sheet.ok and rows(sheet) == [(2, "10001", "12,5")]


def test_plain_csv_bad_rows_are_sorted_with_their_line_numbers():
    sheet = PlainCsvImporter().read(fixture("plain_bad.csv"), "plain_bad.csv")
    assert sheet.ok  # the file is readable; the rows are judged by the preview
    result = preview(sheet, ROSTER, {1: Mark.of(10)})
    assert [(r.learner_id, str(r.old), str(r.new)) for r in result.changes] == [(1, "10.00", "14.00")]
    assert [r.line for r in result.unknown] == [3]
    assert [r.line for r in result.invalid] == [4, 5, 6, 7]
    assert not result.ok
    assert result.messages == [
        "plain_bad.csv:3: learner 99999 is not registered in this offering",
        "plain_bad.csv:4: learner 10002: The grade “21” is outside 0–20.",
        "plain_bad.csv:5: learner 10003: “abc” is not a grade: enter a number from 0 to 20.",
        "plain_bad.csv:6: learner 10004: “=1+1” is not a grade: enter a number from 0 to 20.",
        "plain_bad.csv:7: learner 10005: The grade “12,345” has more than two decimals.",
    ]


def test_plain_csv_missing_column():
    sheet = PlainCsvImporter().read(fixture("plain_missing_column.csv"), "plain_missing_column.csv")
    assert sheet.messages == ["plain_missing_column.csv:1: missing column: grade"]
    assert sheet.rows == []
    sheet = PlainCsvImporter().read(b"grade\n12\n", "g.csv")
    assert sheet.messages == ["g.csv:1: missing column: learner number"]


def test_plain_csv_row_without_grade_column_and_ambiguous_comma_decimals():
    sheet = PlainCsvImporter().read(b"10001,12\n10002\n10003,12,5\n,14\n10004,\n", "g.csv")
    assert sheet.messages == [
        "g.csv:2: missing grade column for learner 10002",
        "g.csv:3: expected 2 columns (learner number, grade), found 3 — quote decimal grades or use ';' as separator",
        "g.csv:4: missing learner number",
    ]
    assert rows(sheet) == [(1, "10001", "12"), (5, "10004", "")]  # an empty grade is "no grade"
    result = preview(sheet, ROSTER, {})
    assert [r.learner_id for r in result.empty] == [4]
    assert not result.ok  # problems in the file: nothing is committed


def test_plain_csv_quoted_comma_decimal_is_fine():
    sheet = PlainCsvImporter().read(b'10001,"12,5"\n', "g.csv")
    assert sheet.ok and rows(sheet) == [(1, "10001", "12,5")]


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf", b" ;\n"])
def test_plain_csv_empty_file(data):
    sheet = PlainCsvImporter().read(data, "empty.csv")
    assert sheet.messages == ["empty.csv: the file is empty"]
    assert not preview(sheet, ROSTER, {}).ok


def test_plain_csv_header_only():
    assert PlainCsvImporter().read(b"learner number;grade\n", "h.csv").messages == ["h.csv: no grades in the file"]


def test_plain_csv_wrong_extension_and_wrong_content():
    csv_ = PlainCsvImporter()
    assert csv_.read(fixture("plain_good.csv"), "grades.pdf").messages == [
        "grades.pdf: not a CSV file (expected a .csv name)"
    ]
    assert csv_.read(xlsx_bytes([["10001", 12]]), "grades.csv").messages == [
        "grades.csv: this is an XLSX workbook, not a CSV file"
    ]
    assert csv_.read(b"\x00\x01\x02binary", "grades.csv").messages == ["grades.csv: not a text file"]


def test_plain_csv_given_a_moodle_export_says_so():
    sheet = PlainCsvImporter().read(fixture("moodle_export.csv"), "moodle_export.csv")
    assert sheet.messages == [
        "moodle_export.csv:1: this looks like a Moodle gradebook export: choose the Moodle format"
    ]


# --- plain XLSX ----------------------------------------------------------------------------------------


def test_plain_xlsx_good(tmp_path):
    path = tmp_path / "grades.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["Learner number", "Grade", "Name"],
                [10001, 12.5, "Ada"],
                [None, None],
                ["10002", "15,25"],
                ["10003", "ABS"],
            ],
            sheets=2,
        )
    )
    sheet = PlainXlsxImporter().read(path.read_bytes(), path.name)
    assert sheet.ok
    assert rows(sheet) == [(2, "10001", "12.5"), (4, "10002", "15,25"), (5, "10003", "ABS")]
    assert preview(sheet, ROSTER, {}).values() == {1: Mark(Decimal("12.5")), 2: Mark(Decimal("15.25")), 3: ABSENT}


def test_plain_xlsx_without_header():
    sheet = PlainXlsxImporter().read(xlsx_bytes([[10004, 20], [10005, 0]]), "g.xlsx")
    assert sheet.ok and rows(sheet) == [(1, "10004", "20"), (2, "10005", "0")]


def test_plain_xlsx_bad_rows_use_row_numbers():
    data = xlsx_bytes([["learner number", "grade"], [10001, 21], [99999, 12], [10002, "abc"], [10003, 12.345]])
    result = preview(PlainXlsxImporter().read(data, "bad.xlsx"), ROSTER, {})
    assert result.messages == [
        "bad.xlsx:2: learner 10001: The grade “21” is outside 0–20.",
        "bad.xlsx:3: learner 99999 is not registered in this offering",
        "bad.xlsx:4: learner 10002: “abc” is not a grade: enter a number from 0 to 20.",
        "bad.xlsx:5: learner 10003: The grade “12.345” has more than two decimals.",
    ]
    assert not result.ok and result.matched == []


def test_plain_xlsx_missing_column():
    sheet = PlainXlsxImporter().read(xlsx_bytes([["learner number", "comment"], [10001, "ok"]]), "m.xlsx")
    assert sheet.messages == ["m.xlsx:1: missing column: grade"]


def test_plain_xlsx_empty_wrong_extension_and_not_a_workbook():
    xlsx = PlainXlsxImporter()
    assert xlsx.read(b"", "e.xlsx").messages == ["e.xlsx: the file is empty"]
    assert xlsx.read(xlsx_bytes([]), "e.xlsx").messages == ["e.xlsx: the file is empty"]
    assert xlsx.read(xlsx_bytes([[10001, 12]]), "g.csv").messages == ["g.csv: not an XLSX file (expected a .xlsx name)"]
    assert xlsx.read(fixture("plain_good.csv"), "g.xlsx").messages == ["g.xlsx: not an XLSX workbook"]
    assert xlsx.read(b"PK\x03\x04 truncated zip", "g.xlsx").messages == ["g.xlsx: not a readable XLSX workbook"]


# --- formulas are text ---------------------------------------------------------------------------------


def test_xlsx_formulas_are_read_as_text_not_their_cached_value():
    data = with_cached_value(xlsx_bytes([["learner number", "grade"], [10001, "=10+5"]]), "10+5", "15")
    assert openpyxl.load_workbook(io.BytesIO(data), data_only=True).active["B2"].value == 15  # Excel's result
    sheet = PlainXlsxImporter().read(data, "f.xlsx")
    assert rows(sheet) == [(2, "10001", "=10+5")]
    result = preview(sheet, ROSTER, {})
    assert result.matched == [] and result.messages == [
        "f.xlsx:2: learner 10001: “=10+5” is not a grade: enter a number from 0 to 20."
    ]


@pytest.mark.parametrize("cell", ["=1+1", "+12", "-3", "@SUM(A1)", '=HYPERLINK("http://x","12")', "=cmd|' /C calc'!A0"])
def test_formula_looking_cells_are_never_grades(cell):
    csv_sheet = PlainCsvImporter().read(f'10001;"{cell.replace(chr(34), 2 * chr(34))}"\n'.encode(), "f.csv")
    xlsx_sheet = PlainXlsxImporter().read(xlsx_bytes([[10001, cell]], text_formulas=True), "f.xlsx")
    for sheet in (csv_sheet, xlsx_sheet):
        assert sheet.rows[0].grade == cell
        result = preview(sheet, ROSTER, {})
        assert result.matched == [] and len(result.invalid) == 1


def test_formula_looking_learner_numbers_are_unknown_learners():
    sheet = PlainCsvImporter().read(b"=10001;12\n", "f.csv")
    result = preview(sheet, ROSTER, {})
    assert result.messages == ["f.csv:1: learner =10001 is not registered in this offering"]


# --- Moodle ---------------------------------------------------------------------------------------------


def moodle_expectations(sheet: ImportedSheet) -> None:
    assert sheet.ok and sheet.column == FINAL
    assert [(r.line, r.learner_number, r.email, r.name) for r in sheet.rows] == [
        (2, "10001", "ada@example.org", "Ada Lovelace"),
        (3, None, "Alan.Turing@Example.ORG", "Alan Turing"),
        (4, "10003", "grace@example.org", "Grace Hopper"),
        (5, "99999", "kurt@example.org", "Kurt Gödel"),
        (6, "10005", "emmy@example.org", "Emmy Noether"),
        (7, "77777", "hedy@example.org", "Hedy Lamarr"),
    ]
    result = preview(sheet, ROSTER, {1: Mark.of("12.50"), 2: ABSENT, 3: Mark.of(9)})
    name = sheet.filename
    assert [(r.learner_id, r.new) for r in result.matched] == [(1, Mark.of("12.5")), (2, Mark.of(15))]
    assert [r.learner_id for r in result.unchanged] == [1]
    assert [(r.learner_id, r.old, r.new) for r in result.changes] == [(2, ABSENT, Mark.of(15))]  # by e-mail
    assert [(r.learner_id, r.old) for r in result.empty] == [(3, Mark.of(9))]  # "-": grade kept
    assert result.messages == [
        f"{name}:5: learner 99999 / kurt@example.org is not registered in this offering",
        f"{name}:6: learner 10005: “abc” is not a grade: enter a number from 0 to 20.",
        f'{name}:7: learner 10006: “=HYPERLINK("http://evil.example","18")” is not a grade: enter a number from 0 to 20.',
    ]  # Hedy: unknown ID number, matched by e-mail; her formula is text
    assert not result.ok


def test_moodle_csv_lists_the_grade_columns_then_reads_the_chosen_one():
    moodle = MoodleImporter()
    sheet = moodle.read(fixture("moodle_export.csv"), "moodle_export.csv")
    assert sheet.ok and sheet.needs_column and sheet.rows == []
    assert sheet.columns == [FINAL, QUIZ, TOTAL]  # the BOM is gone, "Last downloaded" is not a grade
    moodle_expectations(moodle.read(fixture("moodle_export.csv"), "moodle_export.csv", ImportOptions(FINAL)))
    sheet = moodle.read(fixture("moodle_export.csv"), "moodle_export.csv", {"grade_column": QUIZ})
    assert sheet.column == QUIZ and [r.grade for r in sheet.rows] == ["8.00", "-", "-", "10.00", "9.50", "7.00"]


def test_moodle_xlsx_fixture_reads_like_the_csv():
    moodle = MoodleImporter()
    sheet = moodle.read(fixture("moodle_export.xlsx"), "moodle_export.xlsx")
    assert sheet.needs_column and sheet.columns == [FINAL, QUIZ, TOTAL]
    moodle_expectations(moodle.read(fixture("moodle_export.xlsx"), "moodle_export.xlsx", ImportOptions(FINAL)))


def test_moodle_xlsx_built_here(tmp_path):
    path = build_moodle_xlsx(tmp_path / "Course-Grades.xlsx")
    sheet = MoodleImporter().read(path.read_bytes(), path.name, ImportOptions(TOTAL))
    assert [r.grade for r in sheet.rows] == ["11.25", "14", "-", "18", "9.5", "7"]
    assert preview(sheet, ROSTER, {}).values() == {
        1: Mark.of("11.25"), 2: Mark.of(14), 5: Mark.of("9.5"), 6: Mark.of(7),
    }  # fmt: skip


def test_moodle_csv_in_french_with_semicolons_and_comma_decimals():
    sheet = MoodleImporter().read(fixture("moodle_export_fr.csv"), "moodle_export_fr.csv")
    assert sheet.columns == ["Devoir : Examen final (Réel)", "Total du cours (Réel)"]
    sheet = MoodleImporter().read(
        fixture("moodle_export_fr.csv"), "moodle_export_fr.csv", ImportOptions("Total du cours (Réel)")
    )
    result = preview(sheet, ROSTER, {})
    assert result.clean and result.values() == {1: Mark.of("11.25"), 2: Mark.of(14)}


def test_moodle_with_one_grade_column_needs_no_choice():
    data = b"First name,Last name,ID number,Email address,Course total (Real),Last downloaded from this course\n" \
           b"Ada,Lovelace,10001,ada@example.org,12.00,today\n"  # fmt: skip
    sheet = MoodleImporter().read(data, "one.csv")
    assert sheet.ok and sheet.column == TOTAL and rows(sheet) == [(2, "10001", "12.00")]


def test_moodle_bad_files():
    moodle = MoodleImporter()
    assert moodle.read(
        fixture("moodle_export.csv"), "moodle_export.csv", ImportOptions("Quiz: Nope (Real)")
    ).messages == [
        f"moodle_export.csv:1: missing column: 'Quiz: Nope (Real)' (grade columns: {FINAL}, {QUIZ}, {TOTAL})"
    ]
    assert moodle.read(fixture("plain_good.csv"), "plain.csv").messages == [
        'plain.csv:1: not a Moodle gradebook export: missing column "ID number" or "Email address"'
    ]
    no_grades = (
        b"First name,Last name,ID number,Email address,Last downloaded from this course\nAda,L,10001,a@x,today\n"
    )
    assert moodle.read(no_grades, "n.csv").messages == ["n.csv:1: missing column: no grade item in the export"]
    header_only = b"First name,Last name,ID number,Email address,Course total (Real)\n"
    assert moodle.read(header_only, "h.csv").messages == ["h.csv: no learners in the file"]
    anonymous = b"First name,Last name,ID number,Email address,Course total (Real)\nAda,L,,,12\n"
    assert moodle.read(anonymous, "a.csv").messages == ["a.csv:2: no ID number or e-mail address for Ada L"]
    assert moodle.read(b"", "e.csv").messages == ["e.csv: the file is empty"]
    assert moodle.read(b"", "e.xlsx").messages == ["e.xlsx: the file is empty"]
    assert moodle.read(xlsx_bytes([]), "e.xlsx").messages == ["e.xlsx: the file is empty"]
    assert moodle.read(fixture("moodle_export.csv"), "export.ods").messages == [
        "export.ods: not a Moodle export (expected a .csv or .xlsx name)"
    ]
    assert moodle.read(fixture("moodle_export.csv"), "export.xlsx").messages == ["export.xlsx: not an XLSX workbook"]
    assert moodle.read(fixture("moodle_export.xlsx"), "export.csv").messages == [
        "export.csv: this is an XLSX workbook, not a CSV file"
    ]


def test_moodle_matches_id_number_before_email():
    data = b"First name,Last name,ID number,Email address,Course total (Real)\n" \
           b"X,Y,10001,grace@example.org,11\n" \
           b"X,Z,,  ADA@example.org ,12\n"  # fmt: skip
    result = preview(MoodleImporter().read(data, "m.csv"), ROSTER, {})
    # line 2 is learner 10001 by its ID number despite Grace's e-mail; line 3 is Ada again by e-mail
    assert [(r.line, r.learner_id) for r in result.matched] == [(2, 1)]
    assert result.messages == ["m.csv:3: learner 10001 is also on line 2"]


# --- preview -------------------------------------------------------------------------------------------


def test_preview_categories():
    sheet = ImportedSheet(
        filename="s.csv",
        importer="csv",
        rows=[
            ImportedRow(1, "10001", "12"),  # new grade
            ImportedRow(2, " 10002 ", "14,5"),  # change 10 → 14.5 (spaces around the number)
            ImportedRow(3, "10003", "ABS"),  # unchanged absent
            ImportedRow(4, "10004", "9.50"),  # unchanged 9.5
            ImportedRow(5, "10005", "ABS"),  # change 11 → absent
            ImportedRow(6, "10006", "-"),  # no grade in the file
            ImportedRow(7, "55555", "10"),  # unknown
            ImportedRow(8, "10001", "13"),  # duplicate
            ImportedRow(9, "10002", "20.5"),  # invalid (and not counted as a duplicate)
        ],
    )
    current = {2: Decimal(10), 3: "absent", 4: (Decimal("9.5"), False), 5: Mark.of(11), 6: None}
    result = preview(sheet, ROSTER, current)
    assert [(r.learner_id, r.learner_number, str(r.new)) for r in result.matched] == [
        (1, "10001", "12.00"), (2, "10002", "14.50"), (3, "10003", "ABS"), (4, "10004", "9.50"), (5, "10005", "ABS"),
    ]  # fmt: skip
    assert [r.learner_id for r in result.added] == [1]
    assert [(r.learner_id, str(r.old), str(r.new)) for r in result.changes] == [
        (2, "10.00", "14.50"),
        (5, "11.00", "ABS"),
    ]
    assert [r.learner_id for r in result.unchanged] == [3, 4]
    assert [r.line for r in result.empty] == [6]
    assert [r.line for r in result.unknown] == [7]
    assert [(r.line, str(r.message)) for r in result.invalid] == [
        (8, "learner 10001 is also on line 1"),
        (9, "learner 10002: The grade “20.5” is outside 0–20."),
    ]
    assert not result.ok and not result.clean
    everything = result.matched + result.unknown + result.invalid + result.empty
    assert sorted(r.line for r in everything) == list(range(1, 10))


def test_preview_ok_and_clean():
    good = ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10001", "12")])
    assert preview(good, ROSTER, {}).clean
    with_unknown = ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10001", "12"), ImportedRow(2, "4", "1")])
    result = preview(with_unknown, ROSTER, {})
    assert result.ok and not result.clean  # unknown learners are reported; the view decides
    nothing = ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10001", "-")])
    assert not preview(nothing, ROSTER, {}).ok  # nothing to import


def test_preview_matches_learner_numbers_ignoring_case():
    roster = {"NAT-00123": (9, None)}
    sheet = ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "nat-00123", "12")])
    assert preview(sheet, roster, {}).values() == {9: Mark.of(12)}
