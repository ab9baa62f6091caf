"""Attendance certificates: the figures, the PDF (parsed back), who may issue them, the public
verification page."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pypdf
import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.timetable.models import AttendanceCertificate, AttendanceStatus
from lms.timetable.services.certificates import (
    EmptyPeriod,
    MeetingMark,
    compute_summary,
    display_code,
    new_code,
    normalise_code,
    unit_lines,
)
from tests.helpers import client_for, csrf_token
from tests.timetable.test_attendance import build_world, record

P, R, X, E = (
    AttendanceStatus.PRESENT_IN_PERSON,
    AttendanceStatus.PRESENT_REMOTE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
OCTOBER = {"period_start": "2025-10-01", "period_end": "2025-10-31"}


@pytest.fixture
def world(app):
    world = build_world(app)
    a, b, _ = world.registrations
    m = world.meetings
    record(app, m["M1"], {a: P, b: X})  # 6 Oct, 3 h in person
    record(app, m["M2"], {a: R})  # 13 Oct, 2 h remote
    record(app, m["M3"], {a: R, b: P})  # 20 Oct, 3 h
    record(app, m["M4"], {a: P})  # cancelled
    record(app, m["M6"], {world.other_registration: R})  # NFA032, 8 Oct, 3 h
    with app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == world.numbers[0]))
        programme = Programme(code="LG02501A")
        version = ProgrammeVersion(
            programme=programme,
            version="2025",
            title="Licence informatique",
            kind=ProgrammeKind.LICENCE,
            nominal_ects=Decimal(180),
            requirements={"all": [{"unit": "NFA031"}]},
        )
        db.session.add(
            Enrolment(
                learner=learner, programme_version=version, status=EnrolmentStatus.ACTIVE, enrolled_on=date(2025, 9, 15)
            )
        )
        db.session.commit()
    return world


def certificates(app) -> list[AttendanceCertificate]:
    with app.app_context():
        found = db.session.scalars(sa.select(AttendanceCertificate)).all()
        db.session.expunge_all()
        return found


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def download(client, form_path: str, post_path: str, period=OCTOBER):
    page = client.get(form_path)
    assert page.status_code == 200
    return client.post(post_path, data={"csrf_token": csrf_token(page.text), **period})


# --- pure pieces -----------------------------------------------------------------------------------------


def test_codes_are_random_readable_and_forgiving_to_type():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-Z2-7]{12}", code) for code in codes)
    code = next(iter(codes))
    assert normalise_code(display_code(code).lower()) == code
    assert display_code("ABCDEFGHIJKL") == "ABCD-EFGH-IJKL"


def test_unit_lines_add_up_per_unit():
    marks = [
        MeetingMark("NFA031", "Prog", 1, date(2025, 10, 20), 180, R),
        MeetingMark("NFA031", "Prog", 1, date(2025, 10, 6), 180, P),
        MeetingMark("NFA031", "Prog", 1, date(2025, 10, 13), 120, None),
        MeetingMark("NFA031", "Prog", 1, date(2025, 10, 14), 60, E),
        MeetingMark("ANG320", "English", 1, date(2025, 10, 8), 90, R),
    ]
    assert unit_lines(marks) == [
        {
            "code": "ANG320",
            "title": "English",
            "centre_id": 1,
            "first": date(2025, 10, 8),
            "last": date(2025, 10, 8),
            "scheduled_minutes": 90,
            "in_person_minutes": 0,
            "remote_minutes": 90,
        },
        {
            "code": "NFA031",
            "title": "Prog",
            "centre_id": 1,
            "first": date(2025, 10, 6),
            "last": date(2025, 10, 20),
            "scheduled_minutes": 540,
            "in_person_minutes": 180,
            "remote_minutes": 180,
        },
    ]


def test_the_summary_of_a_period(app, world):
    with app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == world.numbers[0]))
        summary = compute_summary(learner, date(2025, 10, 1), date(2025, 10, 31))
        assert summary["learner"] == {"name": "Learner A", "learner_number": world.numbers[0], "birth_date": None}
        assert summary["programmes"] == [{"code": "LG02501A", "title": "Licence informatique"}]
        assert summary["centre"] == {"name": "Cnam Paris", "city": "Paris"}
        assert summary["units"] == [
            {
                "code": "NFA031",
                "title": "Programmation",
                "first": "2025-10-06",
                "last": "2025-10-20",
                "scheduled_minutes": 480,
                "in_person_minutes": 180,
                "remote_minutes": 300,
            },
            {
                "code": "NFA032",
                "title": "Programmation 2",
                "first": "2025-10-08",
                "last": "2025-10-08",
                "scheduled_minutes": 180,
                "in_person_minutes": 0,
                "remote_minutes": 180,
            },
        ]
        assert summary["totals"] == {"scheduled_minutes": 660, "in_person_minutes": 180, "remote_minutes": 480}
        # a period cut on the centre's calendar days: 13 Oct to 19 Oct holds M2 only
        part = compute_summary(learner, date(2025, 10, 13), date(2025, 10, 19))
        assert [(u["code"], u["scheduled_minutes"]) for u in part["units"]] == [("NFA031", 120)]
        with pytest.raises(EmptyPeriod):
            compute_summary(learner, date(2024, 1, 1), date(2024, 12, 31))


# --- the PDF -------------------------------------------------------------------------------------------------


def test_a_learner_downloads_their_certificate_as_a_pdf(app, world):
    client = client_for(app, "learner.a@example.org")
    response = download(client, "/attendance/mine", "/attendance/mine/certificate")
    assert response.status_code == 200, response.text[:2000]
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{world.numbers[0]}-2025-10-01-2025-10-31.pdf" in disposition
    [certificate] = certificates(app)
    assert certificate.period_start == date(2025, 10, 1) and certificate.period_end == date(2025, 10, 31)
    assert certificate.issued_by_id is not None and certificate.summary["totals"]["scheduled_minutes"] == 660
    text = pdf_text(response.data)
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "NFA031",
        "NFA032",
        "Learner A",
        world.numbers[0],
        "LG02501A",
        "Cnam Paris",
        display_code(certificate.code),
        "11 h",
        "8 h",
        "5 h",
        "3 h",
        f"/verify/attendance/{certificate.code}",
    ):
        assert expected in flat, (expected, flat)
    assert "octobre 2025" in flat  # dates in the learner's language (French by default)


def test_an_empty_period_is_a_form_error_and_issues_nothing(app, world):
    client = client_for(app, "learner.a@example.org")
    response = download(
        client,
        "/attendance/mine",
        "/attendance/mine/certificate",
        {"period_start": "2024-01-01", "period_end": "2024-12-31"},
    )
    assert response.status_code == 422
    assert "invalid-feedback" in response.text
    assert certificates(app) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "period",
    [
        {"period_start": "2025-10-31", "period_end": "2025-10-01"},
        {"period_start": "", "period_end": "2025-10-01"},
        {"period_start": "yesterday", "period_end": "2025-10-01"},
        {"period_start": "1990-01-01", "period_end": "2025-10-01"},  # longer than ten years
        {"period_start": "0001-01-01", "period_end": "0001-01-02"},
        {"period_start": "9999-12-30", "period_end": "9999-12-31"},
    ],
)
def test_a_bad_period_is_a_form_error(app, world, period):
    client = client_for(app, "learner.a@example.org")
    response = download(client, "/attendance/mine", "/attendance/mine/certificate", period)
    assert response.status_code == 422
    assert certificates(app) == []


def test_an_admin_issues_a_certificate_for_any_learner(app, world):
    admin = client_for(app, "admin@example.org")
    number = world.numbers[0]
    response = download(admin, f"/attendance/learners/{number}", f"/attendance/learners/{number}/certificate")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    [certificate] = certificates(app)
    assert "Learner A" in pdf_text(response.data)
    with app.app_context():
        from lms.accounts.models import User

        admin_id = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.org"))
    assert certificate.issued_by_id == admin_id


@pytest.mark.sqlite_only
def test_nobody_else_downloads_a_learners_certificate(app, world):
    number = world.numbers[0]
    for email in ("learner.b@example.org", "tutor@example.org"):
        client = client_for(app, email)
        token = csrf_token(client.get("/").text)
        response = client.post(f"/attendance/learners/{number}/certificate", data={"csrf_token": token, **OCTOBER})
        assert response.status_code == 403, email
    # a learner's own route only ever certifies their own record
    client = client_for(app, "learner.b@example.org")
    response = download(client, "/attendance/mine", "/attendance/mine/certificate")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Learner B" in text and "Learner A" not in text and "NFA032" not in text
    # a tutor without a learner profile has no "mine"
    assert client_for(app, "tutor@example.org").get("/attendance/mine").status_code == 403
    assert app.test_client().post("/attendance/mine/certificate", data=OCTOBER).status_code in (302, 400)
    assert all(
        c.learner_id != world.registrations[0] or c.summary["learner"]["name"] == "Learner B" for c in certificates(app)
    )


# --- public verification ------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_the_verification_page_shows_the_facts_and_nothing_more(app, world):
    client = client_for(app, "learner.a@example.org")
    assert download(client, "/attendance/mine", "/attendance/mine/certificate").status_code == 200
    [certificate] = certificates(app)
    anonymous = app.test_client()
    for code in (certificate.code, display_code(certificate.code).lower()):
        page = anonymous.get(f"/verify/attendance/{code}")
        assert page.status_code == 200
        assert "Learner A" in page.text
        assert "11 h" in page.text  # attended: NFA031 3 h in person + 5 h remote, NFA032 3 h remote
        assert "octobre 2025" in page.text or "October 2025" in page.text
        assert "learner.a@example.org" not in page.text
        assert world.numbers[0] not in page.text
    assert anonymous.get("/verify/attendance/AAAABBBBCCCC").status_code == 404
    assert anonymous.get("/verify/attendance/x").status_code == 404
