"""Sheet export as CSV: readable by a spreadsheet, safe from formula injection."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.exports import neutralise
from lms.extensions import db
from lms.results import queries
from lms.timetable.models import Offering
from tests.helpers import login


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("12,5", "12,5"),
        (None, ""),
        ("Dupont", "Dupont"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.sqlite_only
def test_tutor_downloads_a_sheet_with_hostile_names_neutralised(demo_app):
    with demo_app.app_context():
        tutor = db.session.scalar(sa.select(User).where(User.email == "enseignant@example.org"))
        offering = next(
            o
            for o in db.session.scalars(
                sa.select(Offering).where(Offering.academic_year == 2026, Offering.tutors.contains(tutor))
            )
            if queries.sheet_rows(o, 1)
        )
        row = queries.sheet_rows(offering, 1)[0]
        row.learner.user.name = "=cmd|' /C calc'!A0"
        number, offering_id = row.learner.learner_number, offering.id
        db.session.commit()
    client = demo_app.test_client()
    login(client, "enseignant@example.org", "demo-lms-2026")
    response = client.get(f"/results/offerings/{offering_id}/sessions/1/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:2] == ["numéro d'auditeur", "note"]
    mine = next(line for line in lines[1:] if line[0] == number)
    assert mine[-1] == "'=cmd|' /C calc'!A0"
    other = demo_app.test_client()
    login(other, "apprenant@example.org", "demo-lms-2026")
    assert other.get(f"/results/offerings/{offering_id}/sessions/1/export.csv").status_code == 403
