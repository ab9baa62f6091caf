"""In a real Chromium: a director awards a certificate to a learner whose audit is complete, the
certificate PDF downloads and its QR code decodes to the verification address; that public page
says valid, then revoked once the director revokes it. The learner downloads their own
certificate. axe-core finds no serious or critical violation on the jury and award pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from lms.accounts.models import User
from lms.catalog.models import (
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    Unit,
    UnitKind,
)
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.services import refresh_progress
from lms.results.models import Credit, CreditSource
from tests.conftest import make_app
from tests.e2e.support import DEMO_ACCOUNTS
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation

CODE = "CC99900A"
LEARNER_NAME = "Camille Dupont"


def add_a_complete_certificate(database: str) -> None:
    """A certificate directed by the demo director, the demo learner enrolled and holding its only
    unit (a dispensation): their stored audit is complete."""
    day = utcnow().date() - timedelta(days=30)
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        users = {
            u.email: u
            for u in db.session.scalars(
                sa.select(User).where(User.email.in_([DEMO_ACCOUNTS["learner"], DEMO_ACCOUNTS["director"]]))
            )
        }
        unit = Unit(code="ZZZ901", title="Unité du parcours de test", ects=Decimal(6), kind=UnitKind.UE)
        programme = Programme(code=CODE)
        programme.directors = [users[DEMO_ACCOUNTS["director"]]]
        version = ProgrammeVersion(
            programme=programme,
            version="2025",
            title="Certificat de test",
            kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
            nominal_ects=Decimal(6),
            requirements={"all": [{"unit": "ZZZ901"}]},
        )
        db.session.add_all([unit, programme, version])
        db.session.flush()
        learner = users[DEMO_ACCOUNTS["learner"]].learner
        db.session.add(
            Credit(learner_id=learner.id, unit_id=unit.id, source=CreditSource.DISPENSE, granted_on=day, reason="e2e")
        )
        db.session.add(Enrolment(learner_id=learner.id, programme_version_id=version.id, enrolled_on=day))
        db.session.flush()
        refresh_progress([learner.id])
        db.session.commit()
        db.engine.dispose()


def qr_texts(pdf: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    texts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            texts += [result.text for result in zxingcpp.read_barcodes(image.image.convert("L"))]
    return texts


def download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_award_certificate_verify_and_revoke(browser, page, live_server, log_in, tmp_path):
    add_a_complete_certificate(str(tmp_path / "demo.sqlite3"))

    # The director records the jury decision.
    log_in(page, DEMO_ACCOUNTS["director"])
    page.goto(f"{live_server}/awards")
    assert_no_serious_violation(page, "the juries page")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=CODE).click()
    expect(page.locator("main h1")).to_contain_text(CODE)
    assert_no_serious_violation(page, "the jury page")
    row = page.locator("#eligible tbody tr", has_text=LEARNER_NAME)
    expect(row).to_have_count(1)
    row.locator("input[type=checkbox]").check()
    page.locator("input[name=jury]").fill("Jury des certificats, présidé par Nadia Benali")
    page.locator("select[name=mention]").select_option("bien")
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    expect(page.locator(".alert-success").first).to_be_visible()
    award_link = page.locator("#awards tbody tr", has_text=LEARNER_NAME).get_by_role("link")
    number = award_link.inner_text().strip()
    assert re.fullmatch(rf"{CODE}-\d{{4}}-0001", number), number
    with page.expect_navigation():
        award_link.click()
    assert_no_serious_violation(page, "the award page")

    # Its certificate: the facts, and a QR code of the verification address.
    pdf = download(page, page.locator("#download-certificate"))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert LEARNER_NAME in text and CODE in text and number in text
    (url,) = qr_texts(pdf)
    assert re.fullmatch(rf"{re.escape(live_server)}/verify/[A-Za-z0-9_-]{{16,}}", url), url

    # Anyone, not logged in, can check it.
    visitor = browser.new_context(locale="fr-FR")
    public = visitor.new_page()
    public.goto(url)
    expect(public.locator("#verification-status")).to_have_class(re.compile("alert-success"))
    expect(public.locator("main")).to_contain_text(number)
    expect(public.locator("main")).to_contain_text(LEARNER_NAME)
    assert_no_serious_violation(public, "the verification page")

    # The learner downloads their own certificate.
    learner_context = browser.new_context(locale="fr-FR")
    learner_page = learner_context.new_page()
    log_in(learner_page, DEMO_ACCOUNTS["learner"])
    learner_page.goto(f"{live_server}/awards")
    assert_no_serious_violation(learner_page, "the learner's diplomas")
    mine = download(learner_page, learner_page.locator("main table").get_by_role("link", name=re.compile("PDF")).first)
    assert number in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(mine)).pages)
    learner_context.close()

    # The director revokes it; the public page now says revoked.
    page.locator("textarea[name=reason]").fill("Erreur de jury")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button").click()
    expect(page.locator("#award-status")).to_have_class(re.compile("alert-danger"))
    public.reload()
    expect(public.locator("#verification-status")).to_have_class(re.compile("alert-danger"))
    expect(public.locator("main")).not_to_contain_text("Erreur de jury")
    visitor.close()
