"""The transcript (relevé de notes) as a PDF, parsed back: identity, validated units with their
grades, credits, programmes, in French by default and in English on request; the learner's own,
and a learner's from the learner record for the directors of their programmes and administrators;
a constant number of statements whatever the length of the history."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
import sqlalchemy as sa

from lms.accounts.queries import learner_by_number
from lms.core.plugin import format_grade
from lms.extensions import db
from lms.progress import history
from lms.results.models import Credit
from tests.helpers import client_for, count_statements
from tests.progress.test_timeline import learner_with_short_history

PASSWORD = "demo-lms-2026"
CODE_LINE = re.compile(r"^([A-Z][A-Z0-9]{2,11}) ", re.MULTILINE)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def expected(app, number: str):
    with app.app_context():
        lines = history.learner_history(learner_by_number(number))
        return lines, history.validated_units(lines)


def test_my_transcript_lists_validated_units_with_grades_in_french(demo_app):
    response = client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/transcript.pdf")
    text = pdf_text(response)
    assert "100000W" in response.headers["Content-Disposition"]
    lines, units = expected(demo_app, "100000W")
    assert "Camille Dupont" in text and "100000W" in text
    assert "Numéro d'auditeur" in text  # French by default
    assert "Learner number" not in text
    graded = [unit for unit in units if unit.grade is not None]
    assert graded, "the demo learner has grades"
    with demo_app.test_request_context():
        from flask_babel import force_locale

        with force_locale("fr"):
            grade = format_grade(graded[0].grade)
    assert "," in grade and grade in text
    # The validated units, and nothing else, before the credits.
    validated_part = text.split("Credits granted without an exam")[0] if "Credits granted" in text else text
    listed = set(CODE_LINE.findall(validated_part))
    assert {unit.code for unit in units} <= listed
    never_validated = {line.code for line in lines if line.status == "failed"} - {
        line.code for line in lines if line.validated
    }
    assert not (never_validated & listed)
    # Credits by source, with the programme of the VES credit, and the programmes' audits.
    credits = [line for line in lines if line.source == "credit"]
    assert credits and all(credit.code in text for credit in credits)
    assert "LG02501A" in text and "CC0400A" in text


@pytest.mark.sqlite_only
def test_english_on_request(demo_app):
    client = client_for(demo_app, "apprenant@example.org", PASSWORD)
    text = pdf_text(client.get("/me/transcript.pdf?lang=en"))
    assert "Learner number" in text and "Transcript" in text and "Validated units" in text
    _lines, units = expected(demo_app, "100000W")
    grade = next(unit.grade for unit in units if unit.grade is not None)
    assert f"{grade:.2f}" in text  # 11.50, not 11,50
    assert "Numéro d'auditeur" not in text


@pytest.mark.sqlite_only
def test_the_readers_language_is_the_default(demo_app):
    with demo_app.app_context():
        learner_by_number("100000W").user.locale = "en"
        db.session.commit()
    client = client_for(demo_app, "apprenant@example.org", PASSWORD)
    assert "Learner number" in pdf_text(client.get("/me/transcript.pdf"))
    assert "Numéro d'auditeur" in pdf_text(client.get("/me/transcript.pdf?lang=fr"))
    assert "Numéro d'auditeur" in pdf_text(
        client_for(demo_app, "admin@example.org", PASSWORD).get("/learners/100000W/transcript.pdf")
    )  # the reader's language, not the learner's


@pytest.mark.sqlite_only
def test_pdf_is_tagged_and_titled(demo_app):
    response = client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/transcript.pdf?lang=en")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "100000W" in reader.metadata.title
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


@pytest.mark.sqlite_only
def test_staff_transcript_follows_the_learner_record_rule(demo_app):
    url = "/learners/100000W/transcript.pdf"
    director = client_for(demo_app, "directeur@example.org", PASSWORD)  # directs the licence
    assert "100000W" in pdf_text(director.get(url))
    assert "100000W" in pdf_text(client_for(demo_app, "admin@example.org", PASSWORD).get(url + "?lang=en"))
    assert client_for(demo_app, "directrice.master@example.org", PASSWORD).get(url).status_code == 403
    assert client_for(demo_app, "enseignant@example.org", PASSWORD).get(url).status_code == 403
    assert client_for(demo_app, "apprenant@example.org", PASSWORD).get(url).status_code == 403
    assert director.get("/learners/999999Z/transcript.pdf").status_code == 404
    assert demo_app.test_client().get(url).status_code == 302


@pytest.mark.sqlite_only
def test_learner_without_history_gets_a_transcript(demo_app):
    with demo_app.app_context():
        from lms.accounts.models import Role
        from lms.accounts.services import create_user

        create_user(
            "nouveau@example.org",
            "Nouvel Auditeur",
            [Role.LEARNER],
            password=PASSWORD,
            locale="fr",
            learner_number="199999A",
        )
        db.session.commit()
    text = pdf_text(client_for(demo_app, "nouveau@example.org", PASSWORD).get("/me/transcript.pdf"))
    assert "199999A" in text


def test_revoked_credits_are_not_on_the_transcript(demo_app):
    with demo_app.app_context():
        learner = learner_by_number("100000W")
        credit = db.session.scalar(
            sa.select(Credit).where(Credit.learner_id == learner.id).order_by(Credit.id).limit(1)
        )
        code = credit.unit.code
        credit.revoked_at, credit.revoke_reason = sa.func.now(), "erreur de saisie"
        db.session.commit()
    lines, _units = expected(demo_app, "100000W")
    assert code not in {line.code for line in lines if line.source == "credit"}
    text = pdf_text(client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/transcript.pdf"))
    if code not in {line.code for line in lines}:
        assert code not in text


@pytest.mark.sqlite_only
def test_transcript_runs_a_constant_number_of_statements(demo_app):
    email, _count = learner_with_short_history(demo_app)
    short, long = client_for(demo_app, email, PASSWORD), client_for(demo_app, "apprenant@example.org", PASSWORD)
    with count_statements(demo_app) as few:
        assert short.get("/me/transcript.pdf").status_code == 200
    with count_statements(demo_app) as many:
        assert long.get("/me/transcript.pdf").status_code == 200
    assert len(few) == len(many), (few, many)
    with demo_app.app_context():
        from lms.accounts.models import Learner, User

        number = db.session.scalar(
            sa.select(Learner.learner_number).join(User, Learner.user_id == User.id).where(User.email == email)
        )
    admin = client_for(demo_app, "admin@example.org", PASSWORD)
    with count_statements(demo_app) as few:
        assert admin.get(f"/learners/{number}/transcript.pdf").status_code == 200
    with count_statements(demo_app) as many:
        assert admin.get("/learners/100000W/transcript.pdf").status_code == 200
    assert len(few) == len(many), (few, many)
