"""Importing a grade file, the pages: messages in the user's language (French by default), grades
in their locale, names beside learner numbers, importing the valid rows and listing those left
out (or, without that option, refusing the whole file), a maximum other than 20, published
results left to corrections."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.results.models import ResultStatus
from tests.helpers import client_for, csrf_token
from tests.results.test_import_pages import confirm, hidden, import_url, numbers, plain_csv, upload
from tests.results.world import build_world, results, save, sheet_url


@pytest.fixture
def world(app):
    return build_world(app)


def speak(app, locale: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).values(locale=locale))
        db.session.commit()


def moodle_fr(rows: list[tuple[str, str, str]]) -> bytes:
    """A French Moodle export: (first name, ID number, course total)."""
    header = "Prénom;Nom;Numéro d'identification;Adresse de courriel;Total du cours (Réel);Dernier téléchargement depuis ce cours\n"
    lines = "".join(
        f"{first};X;{number};{first.lower()}@example.org;{total};1763800000\n" for first, number, total in rows
    )
    return (header + lines).encode()


@pytest.mark.sqlite_only
def test_french_ui_refusals_grades_and_names_are_in_french(app, world):
    speak(app, "fr")
    a, b, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    page = upload(tutor, world.offering, plain_csv([(a, "12.5"), ("99999", "12"), (b, "72,50")]), "notes.csv", "csv")
    assert page.status_code == 200
    text = page.text
    assert "notes.csv:3: l’apprenant 99999 n’est pas inscrit à cette session" in text
    assert "notes.csv:4: apprenant " + b + " : La note « 72,50 » n’est pas comprise entre 0 et 20." in text
    assert "not registered" not in text and "is outside" not in text
    assert "12,50" in text and "12.50" not in text  # the locale's decimal comma
    assert f"{a} — Learner A" in text and f"{b} — Learner B" in text  # names beside the numbers
    assert "Importer les lignes valides et ignorer les autres" in text
    bad_file = upload(tutor, world.offering, b"learner number;comment\n1;x\n", "n.csv", "csv")
    assert "n.csv:1: colonne absente : note" in bad_file.text


@pytest.mark.sqlite_only
def test_english_ui_shows_english_and_points(app, world):
    speak(app, "en")
    a, _, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    page = upload(tutor, world.offering, plain_csv([(a, "12,5"), ("99999", "1")]), "g.csv", "csv")
    assert "12.50" in page.text and f"{a} — Learner A" in page.text
    assert "g.csv:3: learner 99999 is not registered in this offering" in page.text
    assert "Import the valid rows and ignore the others" in page.text


def test_valid_rows_only_when_asked_and_the_result_page_lists_those_left_out(app, world):
    speak(app, "en")
    a, b, c = numbers(app, world.registrations)
    rows = [(a, "12,5"), ("99999", "12"), (b, "25"), (c, "ABS"), (c, "14")]
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv(rows), "g.csv", "csv")
    assert preview.status_code == 200 and 'name="partial"' in preview.text
    # without the option: the whole file is refused, nothing half-written
    refused = confirm(tutor, world.offering, preview.text)
    assert refused.status_code == 422 and "Nothing was imported" in refused.text
    assert results(app, world.registrations) == {}
    preview = upload(tutor, world.offering, plain_csv(rows), "g.csv", "csv")
    done = tutor.post(
        f"{import_url(world.offering)}/confirm",
        data={"csrf_token": csrf_token(preview.text), "token": hidden(preview.text, "token"), "partial": "y"},
    )
    assert done.status_code == 200, done.text[:2000]
    assert "1 grade imported as a draft" in done.text
    assert "4 rows of the file were left out" in done.text
    for line, reason in [
        (3, "learner 99999 is not registered in this offering"),
        (4, f"learner {b}: The grade “25” is outside 0–20."),
        (5, f"learner {c}: another row of this learner is refused (line 6)"),
        (6, f"learner {c} is also on line 5"),
    ]:
        assert f"g.csv:{line}: {reason}" in done.text
    saved = results(app, world.registrations)
    assert list(saved) == [world.registrations[0]]
    assert saved[world.registrations[0]].grade == Decimal("12.5")
    assert saved[world.registrations[0]].status == ResultStatus.DRAFT


def test_a_clean_file_ignores_the_option_and_goes_back_to_the_sheet(app, world):
    a, _, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv([(a, "11")]), "g.csv", "csv")
    assert 'name="partial"' not in preview.text
    done = tutor.post(
        f"{import_url(world.offering)}/confirm",
        data={"csrf_token": csrf_token(preview.text), "token": hidden(preview.text, "token"), "partial": "y"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(sheet_url(world.offering))
    assert results(app, world.registrations)[world.registrations[0]].grade == Decimal(11)


def test_a_moodle_total_out_of_100_is_rescaled_when_its_maximum_is_given(app, world):
    speak(app, "fr")
    a, b, _ = numbers(app, world.registrations)
    content = moodle_fr([("Ada", a, "72,50"), ("Bob", b, "33,33")])
    tutor = client_for(app, "tutor@example.org")
    refused = upload(tutor, world.offering, content, "notes.csv", "moodle")
    assert "La note « 72,50 » n’est pas comprise entre 0 et 20." in refused.text
    page = upload(tutor, world.offering, content, "notes.csv", "moodle", out_of="100")
    assert page.status_code == 200, page.text[:2000]
    assert "Notes sur 100 (comme indiqué), ramenées sur 20" in page.text
    assert "14,50" in page.text and "6,67" in page.text and "72,50" in page.text
    assert confirm(tutor, world.offering, page.text).status_code == 302
    saved = results(app, world.registrations)
    assert saved[world.registrations[0]].grade == Decimal("14.5")
    assert saved[world.registrations[1]].grade == Decimal("6.67")


def test_a_percentage_column_is_read_as_out_of_100_and_above_is_refused(app, world):
    speak(app, "en")
    a, b, _ = numbers(app, world.registrations)
    content = (
        "First name,Last name,ID number,Email address,Course total (Percentage)\n"
        f"Ada,A,{a},a@example.org,72.50 %\n"
        f"Bob,B,{b},b@example.org,100.50 %\n"
    ).encode()
    tutor = client_for(app, "tutor@example.org")
    page = upload(tutor, world.offering, content, "m.csv", "moodle")
    assert "Grades out of 100 (read from the column header)" in page.text
    assert f"m.csv:3: learner {b}: The grade “100.50” is outside 0–100." in page.text
    assert results(app, world.registrations) == {}


@pytest.mark.sqlite_only
def test_a_bad_maximum_is_a_form_error(app, world):
    speak(app, "fr")
    tutor = client_for(app, "tutor@example.org")
    page = upload(tutor, world.offering, b"1;2\n", "g.csv", "csv", out_of="cent")
    assert page.status_code == 422
    assert "Le maximum « cent » n’est pas un nombre supérieur à 0." in page.text
    assert 'for="out_of"' in page.text and "Note sur" in page.text


def test_the_maximum_is_kept_across_the_moodle_column_choice(app, world):
    speak(app, "en")
    a, _, _ = numbers(app, world.registrations)
    content = (
        f"First name,Last name,ID number,Email address,Exam (Real),Course total (Real)\nAda,A,{a},a@example.org,40,80\n"
    ).encode()
    tutor = client_for(app, "tutor@example.org")
    choose = upload(tutor, world.offering, content, "m.csv", "moodle", out_of="50")
    assert 'for="column"' in choose.text and 'value="50"' in choose.text
    page = tutor.post(
        import_url(world.offering),
        data={
            "csrf_token": csrf_token(choose.text),
            "importer": "moodle",
            "token": hidden(choose.text, "token"),
            "column": "Exam (Real)",
            "out_of": "50",
        },
    )
    assert page.status_code == 200 and "Grades out of 50 (as you said)" in page.text
    assert confirm(tutor, world.offering, page.text).status_code == 302
    assert results(app, world.registrations)[world.registrations[0]].grade == Decimal(16)


def test_a_published_grade_is_not_changed_by_an_import(app, world):
    speak(app, "en")
    a, b, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    assert save(tutor, world.offering, {world.registrations[0]: "10"}, publish=True).status_code in (200, 302)
    page = upload(tutor, world.offering, plain_csv([(a, "15"), (b, "12")]), "g.csv", "csv")
    assert f"g.csv:2: learner {a}: this result is published: change it with a correction" in page.text
    done = tutor.post(
        f"{import_url(world.offering)}/confirm",
        data={"csrf_token": csrf_token(page.text), "token": hidden(page.text, "token"), "partial": "y"},
    )
    assert done.status_code == 200
    saved = results(app, world.registrations)
    assert saved[world.registrations[0]].grade == Decimal(10)
    assert saved[world.registrations[0]].status == ResultStatus.PUBLISHED
    assert saved[world.registrations[1]].grade == Decimal(12)
    same = upload(tutor, world.offering, plain_csv([(a, "10")]), "g.csv", "csv")
    assert "Unchanged grades" in same.text and "/import/confirm" in same.text  # the same grade is fine
