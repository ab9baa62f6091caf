"""Grade imports, pure part: grades out of another maximum rescaled to /20 (the maximum read from
the column header or given), messages translated where shown, learner names, frozen results and
importing the valid rows only. Real files: Moodle CSV in English and French, XLSX built with
openpyxl and read back. No app, no database."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from lms.results.grades import GradeError, parse_grade, parse_maximum, rescale
from lms.results.importers import (
    ImportedRow,
    ImportedSheet,
    ImportOptions,
    Mark,
    MoodleImporter,
    Msg,
    PlainCsvImporter,
    PlainXlsxImporter,
    preview,
)
from lms.results.importers.moodle import maximum_in_header

ROSTER = {"10001": (1, "ada@example.org"), "10002": (2, "alan@example.org"), "10003": (3, "grace@example.org")}
NAMES = {1: "Ada Lovelace", 2: "Alan Turing", 3: "Grace Hopper"}


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the scale ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "out_of", "expected"),
    [
        ("72,5", "100", "14.50"),
        ("72.50", "100", "14.50"),
        ("100", "100", "20.00"),
        ("0", "100", "0.00"),
        ("33,33", "50", "13.33"),  # 13.332
        ("0,05", "8", "0.13"),  # 0.125: halves up
        ("16,67", "100", "3.33"),  # 3.334
        ("1", "3", "6.67"),  # 6.666...
        ("12,5", "20", "12.50"),  # /20: no rescaling
    ],
)
def test_a_score_out_of_another_maximum_is_rescaled_to_20_halves_up(text, out_of, expected):
    assert parse_grade(text, Decimal(out_of)) == Decimal(expected)
    assert str(parse_grade(text, Decimal(out_of))) == expected


@pytest.mark.parametrize(
    ("text", "out_of", "reason"),
    [
        ("105", "100", "The grade “105” is outside 0–100."),
        ("100.01", "100", "The grade “100.01” is outside 0–100."),
        ("-1", "100", "The grade “-1” is outside 0–100."),
        ("12,5", "12.5", None),
        ("12,51", "12.5", "The grade “12,51” is outside 0–12.5."),
        ("=50", "100", "“=50” is not a grade: enter a number from 0 to 20."),
        ("50,125", "100", "The grade “50,125” has more than two decimals."),
    ],
)
def test_a_score_above_the_maximum_is_refused(text, out_of, reason):
    if reason is None:
        assert parse_grade(text, Decimal(out_of)) == Decimal(20)
        return
    with pytest.raises(GradeError) as refused:
        parse_grade(text, Decimal(out_of))
    assert str(refused.value) == reason


def test_rescale_and_maximums():
    assert rescale(Decimal("72.5"), Decimal(100)) == Decimal("14.50")
    assert parse_maximum("100") == Decimal(100) and parse_maximum(" 12,5 ") == Decimal("12.5")
    assert parse_maximum("") is None
    assert ImportOptions.coerce({"out_of": "12,5"}).out_of == Decimal("12.5")
    assert ImportOptions.coerce({"out_of": "abc"}).out_of is None and ImportOptions.coerce({"out_of": 0}).out_of is None
    for bad in ("0", "-5", "abc", "1e3", "100,001", "1000000"):
        with pytest.raises(GradeError, match="is not a number above 0"):
            parse_maximum(bad)


@pytest.mark.parametrize(
    ("header", "maximum"),
    [
        ("Course total (Percentage)", 100),
        ("Total du cours (Pourcentage)", 100),
        ("Course total (Real) /100", 100),
        ("Devoir : Examen final (Réel) / 50", 50),
        ("Note sur 40", 40),
        ("Exam (out of 25)", 25),
        ("Course total (Real)", None),
        ("Total du cours (Réel)", None),
        ("Quiz: Week 3, revision (Real)", None),
        ("Note /20", 20),
    ],
)
def test_the_maximum_is_read_from_the_column_header(header, maximum):
    assert maximum_in_header(header) == (None if maximum is None else Decimal(maximum))


# --- Moodle files out of 100 --------------------------------------------------------------------------

FRENCH = (
    "Prénom;Nom;Numéro d'identification;Adresse de courriel;Total du cours (Réel);"
    "Dernier téléchargement depuis ce cours\n"
    "Ada;Lovelace;10001;ada@example.org;72,50;1763800000\n"
    "Alan;Turing;10002;alan@example.org;105,00;1763800000\n"
    "Grace;Hopper;10003;grace@example.org;-;1763800000\n"
).encode()
ENGLISH_PERCENT = (
    b"First name,Last name,ID number,Email address,Course total (Percentage),Last downloaded from this course\n"
    b'Ada,Lovelace,10001,ada@example.org,72.50 %,"Saturday, 22 November 2026, 5:45 AM"\n'
    b'Alan,Turing,10002,alan@example.org,100.00 %,"Saturday, 22 November 2026, 5:45 AM"\n'
)


def test_a_french_moodle_total_over_20_is_refused_unless_its_maximum_is_given():
    sheet = MoodleImporter().read(FRENCH, "notes.csv")
    assert sheet.column == "Total du cours (Réel)" and sheet.out_of is None  # (Réel) says nothing
    result = preview(sheet, ROSTER, {})
    assert result.messages == [
        "notes.csv:2: learner 10001: The grade “72,50” is outside 0–20.",
        "notes.csv:3: learner 10002: The grade “105,00” is outside 0–20.",
    ]
    given = MoodleImporter().read(FRENCH, "notes.csv", ImportOptions(out_of=Decimal(100)))
    assert (given.out_of, given.out_of_source) == (Decimal(100), "given")
    result = preview(given, ROSTER, {})
    assert result.values() == {1: Mark.of("14.50")}
    assert result.messages == ["notes.csv:3: learner 10002: The grade “105,00” is outside 0–100."]
    assert [r.line for r in result.empty] == [4]


def test_an_english_moodle_percentage_column_is_out_of_100():
    sheet = MoodleImporter().read(ENGLISH_PERCENT, "grades.csv")
    assert (sheet.out_of, sheet.out_of_source) == (Decimal(100), "header")
    assert preview(sheet, ROSTER, {}).values() == {1: Mark.of("14.50"), 2: Mark.of(20)}
    # the maximum the user gives wins over the header's
    sheet = MoodleImporter().read(ENGLISH_PERCENT, "grades.csv", {"out_of": "200"})
    assert preview(sheet, ROSTER, {}).values() == {1: Mark.of("7.25"), 2: Mark.of(10)}


def test_a_moodle_xlsx_out_of_100_built_and_read_back():
    data = xlsx(
        [
            [
                "First name",
                "Last name",
                "ID number",
                "Email address",
                "Course total (Real) /100",
                "Last downloaded from this course",
            ],
            ["Ada", "Lovelace", "10001", "ada@example.org", 72.5, "today"],
            ["Alan", "Turing", "10002", "alan@example.org", 33.33, "today"],
            ["Grace", "Hopper", "10003", "grace@example.org", 101, "today"],
        ]
    )
    sheet = MoodleImporter().read(data, "Course-Grades.xlsx")
    assert sheet.out_of == Decimal(100)
    result = preview(sheet, ROSTER, {})
    assert result.values() == {1: Mark.of("14.50"), 2: Mark.of("6.67")}
    assert result.messages == ["Course-Grades.xlsx:4: learner 10003: The grade “101” is outside 0–100."]


def test_plain_files_out_of_another_maximum():
    sheet = PlainCsvImporter().read(b"learner number;note /100\n10001;72,5\n", "p.csv")
    assert preview(sheet, ROSTER, {}).values() == {1: Mark.of("14.50")}
    sheet = PlainXlsxImporter().read(xlsx([["10001", 36.25], ["10002", "ABS"]]), "p.xlsx", {"out_of": "50"})
    assert preview(sheet, ROSTER, {}).values() == {1: Mark.of("14.50"), 2: Mark.of("absent")}
    sheet = PlainCsvImporter().read(b"10001;72,5\n", "p.csv")
    assert preview(sheet, ROSTER, {}).messages == ["p.csv:1: learner 10001: The grade “72,5” is outside 0–20."]


# --- messages -------------------------------------------------------------------------------------------


def test_messages_are_english_as_text_and_translated_when_rendered():
    sheet = PlainCsvImporter().read(b"10001;12\n99999;1\n10002;72,50\n", "g.csv")
    result = preview(sheet, ROSTER, {})
    assert result.messages == [
        "g.csv:2: learner 99999 is not registered in this offering",
        "g.csv:3: learner 10002: The grade “72,50” is outside 0–20.",
    ]
    french = {
        "learner %(who)s is not registered in this offering": "l’apprenant %(who)s n’est pas inscrit",
        "learner %(number)s: %(reason)s": "apprenant %(number)s : %(reason)s",
        "The grade “%(text)s” is outside 0–%(maximum)s.": "La note « %(text)s » n’est pas entre 0 et %(maximum)s.",
    }
    rendered = [
        r.message.render(lambda s: french.get(s, s), lambda d: str(d).replace(".", ",")) for r in result.refused
    ]
    assert rendered[0] == "l’apprenant 99999 n’est pas inscrit"
    assert rendered[1] == "apprenant 10002 : The grade “72,50” is outside 0–20."  # untranslated reason kept
    over = preview(PlainCsvImporter().read(b"10001;112,5\n", "g.csv", {"out_of": "112.5"}), ROSTER, {})
    assert over.values() == {1: Mark.of(20)}
    over = preview(PlainCsvImporter().read(b"10001;113\n", "g.csv", {"out_of": "112.5"}), ROSTER, {})
    assert over.invalid[0].message.render(lambda s: french.get(s, s), lambda d: str(d).replace(".", ",")) == (
        "apprenant 10001 : La note « 113 » n’est pas entre 0 et 112,5."
    )
    problem = MoodleImporter().read(b"", "e.csv").problems[0]
    assert str(problem) == "e.csv: the file is empty" and problem.message == Msg("the file is empty")


# --- names, frozen results, valid rows only -------------------------------------------------------------


def test_preview_rows_carry_the_learners_name():
    sheet = MoodleImporter().read(FRENCH, "notes.csv", ImportOptions(out_of=Decimal(100)))
    result = preview(sheet, ROSTER, {}, names={1: "Ada L. (roster)"})
    assert [(r.line, r.name) for r in result.matched + result.invalid + result.empty] == [
        (2, "Ada L. (roster)"),
        (3, "Alan Turing"),  # not in names: the file's
        (4, "Grace Hopper"),
    ]


def test_a_frozen_result_is_refused_only_when_the_import_changes_it():
    sheet = ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10001", "12"), ImportedRow(2, "10002", "14")])
    current = {1: Mark.of(12), 2: Mark.of(10)}
    result = preview(sheet, ROSTER, current, frozen={1: "published", 2: Msg("published")})
    assert [r.line for r in result.unchanged] == [1]
    assert result.messages == ["s.csv:2: learner 10002: published"]


def test_importing_the_valid_rows_leaves_out_every_row_of_a_doubtful_learner():
    sheet = ImportedSheet(
        "s.csv",
        "csv",
        rows=[
            ImportedRow(1, "10001", "12"),
            ImportedRow(2, "10002", "14"),
            ImportedRow(3, "99999", "10"),  # unknown
            ImportedRow(4, "10002", "15"),  # duplicate: which of 14 and 15?
            ImportedRow(5, "10003", "25"),  # invalid
        ],
    )
    result = preview(sheet, ROSTER, {}, names=NAMES)
    assert not result.ok and result.partial
    assert result.values() == {1: Mark.of(12), 2: Mark.of(14)}  # what an all-or-nothing import would hold
    assert result.values(partial=True) == {1: Mark.of(12)}
    assert [(r.line, str(r.message)) for r in result.left_out] == [
        (2, "learner 10002: another row of this learner is refused (line 4)"),
        (3, "learner 99999 is not registered in this offering"),
        (4, "learner 10002 is also on line 2"),
        (5, "learner 10003: The grade “25” is outside 0–20."),
    ]
    clean = preview(ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10001", "12")]), ROSTER, {})
    assert clean.clean and not clean.partial  # nothing to leave out
    hopeless = preview(ImportedSheet("s.csv", "csv", rows=[ImportedRow(1, "10003", "25")]), ROSTER, {})
    assert not hopeless.partial and hopeless.values(partial=True) == {}
    broken = PlainCsvImporter().read(b"learner number;comment\n10001;x\n", "b.csv")
    assert not preview(broken, ROSTER, {}).partial  # a file problem refuses the whole file
