"""The one grade parser: the same rules for sheets, corrections, UA decisions and imported files,
its refusals in French on the pages and in English in files' problem lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.results import grades, services
from lms.results.importers import GradeError as ImportGradeError
from lms.results.importers import parse_mark

REFUSED = ["21", "20.01", "-5", "+12", "1e1", "NaN", "Infinity", "inf", "=1+1", "12..5", "1 2,5", "12.345", "abc"]


@pytest.mark.parametrize(
    ("text", "expected"), [("12", "12.00"), (" 12,5 ", "12.50"), ("0", "0.00"), ("20.00", "20.00")]
)
def test_a_grade_is_a_number_from_0_to_20_with_a_comma_or_a_point(text, expected):
    assert grades.parse_grade(text) == Decimal(expected)
    assert parse_mark(text).grade == Decimal(expected)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("text", REFUSED)
def test_sheets_and_files_refuse_the_same_texts(text, app):
    with pytest.raises(grades.GradeError):
        grades.parse_grade(text)
    with pytest.raises(ImportGradeError):
        parse_mark(text)
    with app.test_request_context(), pytest.raises(grades.GradeError):
        services.parse_grade(text)


@pytest.mark.sqlite_only
def test_refusals_speak_french_on_pages_and_english_in_files(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        with pytest.raises(grades.GradeError) as refused:
            services.parse_grade("21")
        assert str(refused.value.message) == "La note « 21 » n’est pas comprise entre 0 et 20."
        with pytest.raises(grades.GradeError) as refused:
            services.parse_grade("1e1")
        assert str(refused.value.message) == "« 1e1 » n’est pas une note : saisissez un nombre de 0 à 20."
    with pytest.raises(grades.GradeError, match="^The grade “12,345” has more than two decimals.$"):
        grades.parse_grade("12,345")
    assert grades.parse_grade("   ") is None and parse_mark("ABS").absent and parse_mark("-") is None
