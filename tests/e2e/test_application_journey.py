"""In a real Chromium: a new person signs up, chooses a password from the mailed link, applies to
an intake with a PDF and submits; the
programme's director accepts from the review queue; the new learner's home shows the programme.
axe-core finds no serious or critical violation on the application form and the review queue."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.models import StoredFile
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Intake
from lms.timetable.models import Centre, Modality
from tests.conftest import make_app
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation
from tests.mailbox import Mailbox, link_in

PROGRAMME = "MR12202A"
NAME = "Nadia Candidate"
EMAIL = "nadia.candidate@example.org"
PASSWORD = "a long and secret phrase"
MASTER_DIRECTOR = "directrice.master@example.org"  # directs MR12202A in the demo data


@pytest.fixture(autouse=True)
def mailbox(monkeypatch):
    """A local SMTP server receiving the live server's e-mails (autouse: set before the live server's app is made)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("LMS_SMTP_HOST", '"127.0.0.1"')
    monkeypatch.setenv("LMS_SMTP_PORT", str(port))
    yield handler
    controller.stop()


def stored_documents(database: str) -> int:
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count(StoredFile.id)).where(StoredFile.kind == "application-document")
        )
        db.engine.dispose()
    return count


def add_open_intake(database: str) -> int:
    today = utcnow().date()
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        version = db.session.scalar(
            sa.select(ProgrammeVersion)
            .join(Programme)
            .where(Programme.code == PROGRAMME)
            .order_by(ProgrammeVersion.version.desc())
        )
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == "PAR"))
        intake = Intake(
            programme_version=version,
            academic_year=academic_year(today) + 1,
            centre=centre,
            modality=Modality.DISTANCE_PLANIFIEE_SOIR,
            capacity=20,
            applications_open_on=today - timedelta(days=5),
            applications_close_on=today + timedelta(days=20),
            starts_on=today + timedelta(days=40),
        )
        db.session.add(intake)
        db.session.commit()
        ident = intake.id
        db.engine.dispose()
    return ident


def pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def in_english(page) -> None:
    """Choose English with the footer's language form (the session keeps it across sign-up)."""
    page.locator("footer select").select_option("en")
    with page.expect_navigation():
        page.locator("footer button[type=submit]").click()


def test_candidate_applies_and_is_accepted(page, browser, live_server, log_in, tmp_path, mailbox):
    intake_id = add_open_intake(str(tmp_path / "demo.sqlite3"))

    # A new person signs up.
    page.goto(f"{live_server}/signup")
    in_english(page)
    assert_no_serious_violation(page, "the sign-up form")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()
    expect(page.locator("main h1")).to_have_text("Check your mail")

    # They choose their password from the link of the mail, which logs them in.
    (mail,) = mailbox.wait_for(EMAIL)
    page.goto(f"{live_server}{link_in(mail)}")
    assert_no_serious_violation(page, "the password form")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the new password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Choose this password").click()
    page.goto(f"{live_server}/intakes")

    # They apply with a PDF.
    with page.expect_navigation():
        page.locator(f"a[href='/intakes/{intake_id}/apply']").click()
    expect(page.locator("main h1")).to_contain_text(PROGRAMME)
    assert_no_serious_violation(page, "the application form")
    page.get_by_label("Your highest level (RNCP)").select_option("7")
    page.get_by_label("Diplomas held").fill("Licence informatique, 2016")
    page.get_by_label("Current job").fill("Developer")
    page.get_by_label("Years of professional experience").fill("7")
    page.get_by_label("Funding").select_option("cpf")
    page.get_by_label("Add a document (PDF)").set_input_files(
        files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the application").click()
    status = page.locator("main [role=status]").last
    expect(status).to_contain_text("Submitted")
    expect(page.locator("main table")).to_contain_text("cv.pdf")
    assert stored_documents(str(tmp_path / "demo.sqlite3")) == 1  # in the database, not on the host's disk

    # The programme's director accepts from the review queue.
    reviewer_context = browser.new_context(locale="fr-FR")
    reviewer_context.set_default_timeout(10_000)
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, MASTER_DIRECTOR)
        in_english(reviewer)
        reviewer.goto(f"{live_server}/admin/intakes/{intake_id}")
        expect(reviewer.locator("main table")).to_contain_text(NAME)
        assert_no_serious_violation(reviewer, "the review queue")
        reviewer.get_by_label(f"Choose {NAME}").check()
        reviewer.locator("select[name='bulk-decision']").select_option("accept")
        reviewer.locator("textarea[name='bulk-reason']").fill("Welcome to the master.")
        with reviewer.expect_navigation():
            reviewer.get_by_role("button", name="Record the decision").click()
        expect(reviewer.locator("main [role=status]").first).to_contain_text("accepted")
        expect(reviewer.locator("main table")).to_contain_text("Accepted")
    finally:
        reviewer_context.close()

    # The new learner's home shows the programme; their application says accepted.
    page.goto(f"{live_server}/")
    expect(page.locator("main")).to_contain_text(PROGRAMME)
    page.goto(f"{live_server}/applications")
    expect(page.locator("main table")).to_contain_text(re.compile("Accepted"))
