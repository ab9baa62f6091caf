"""Certificates: the PDF (read back with pypdf, its QR decoded with zxing-cpp), the public
verification page (valid, revoked, unknown, nothing more than the essential facts), revocation
(reason required, logged, kept on the row), the ZIP of a jury session and who may download what."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.accounts.models import Learner, User
from lms.awards import services
from lms.awards.models import Award
from lms.catalog.models import ProgrammeVersion
from lms.extensions import db
from lms.plugins import hookimpl
from tests.awards.world import (
    ADMIN,
    DIRECTOR,
    DONE,
    NOT_DONE,
    ON_THE_WAY,
    OTHER_DIRECTOR,
    build_world,
    today,
)
from tests.helpers import client_for, csrf_token


def award_both(app, world) -> list[int]:
    """Alice and Chloé awarded the certificate by the director, in one jury session."""
    with app.app_context():
        director = db.session.scalar(sa.select(User).where(User.email == DIRECTOR))
        version = db.session.get(ProgrammeVersion, world.certificate_version)
        awards = [
            services.grant_award(
                director,
                db.session.get(Learner, world.learners[email]),
                version,
                today(),
                "Jury CC136",
                mention="tres_bien" if email == DONE else None,
            )
            for email in (DONE, ON_THE_WAY)
        ]
        db.session.commit()
        return [award.id for award in awards]


def award_row(app, award_id: int) -> Award:
    with app.app_context():
        award = db.session.get(Award, award_id)
        db.session.expunge(award)
        return award


def decode_qr(pdf: bytes) -> list[str]:
    import zxingcpp

    texts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            texts += [result.text for result in zxingcpp.read_barcodes(image.image.convert("L"))]
    return texts


@pytest.mark.sqlite_only
def test_the_pdf_carries_the_facts_and_a_qr_of_the_verification_url(app):
    world = build_world(app)
    first, _second = award_both(app, world)
    award = award_row(app, first)
    response = client_for(app, DONE).get(f"/awards/{first}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert award.certificate_number in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1  # one landscape A4 page
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Alice Done",
        "CC13600A",
        award.certificate_number,
        "Programmation avancée",
        "12 ECTS",
        "Diane Director",
        "Très bien",
    ):
        assert expected in text, expected
    assert decode_qr(response.data) == [f"http://localhost/verify/{award.verification_code}"]


@pytest.mark.sqlite_only
def test_verification_page_valid_then_revoked_without_login(app):
    world = build_world(app)
    first, _second = award_both(app, world)
    award = award_row(app, first)
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{award.verification_code}")
    assert page.status_code == 200
    assert "valid" in page.text.lower() or "valide" in page.text.lower()
    assert 'id="verification-status"' in page.text and "alert-success" in page.text
    for fact in ("Alice Done", "CC13600A", award.certificate_number):
        assert fact in page.text
    with app.app_context():
        learner = db.session.get(Learner, world.learners[DONE])
        for secret in (learner.learner_number, learner.user.email, "Jury CC136", "done@"):
            assert secret not in page.text, secret
    assert anonymous.get("/verify/" + "x" * 24).status_code == 404
    assert anonymous.get("/verify/short").status_code == 404

    director = client_for(app, DIRECTOR)
    show = director.get(f"/awards/{first}")
    assert show.status_code == 200
    empty = director.post(f"/awards/{first}/revoke", data={"csrf_token": csrf_token(show.text), "reason": " "})
    assert empty.status_code == 422
    done = director.post(
        f"/awards/{first}/revoke", data={"csrf_token": csrf_token(show.text), "reason": "Fraude au mémoire"}
    )
    assert done.status_code == 302
    page = anonymous.get(f"/verify/{award.verification_code}")
    assert page.status_code == 200 and "alert-danger" in page.text and "alert-success" not in page.text
    assert "Fraude" not in page.text  # the reason is not public
    with app.app_context():
        row = db.session.get(Award, first)
        assert row.revoked_at is not None and row.revoke_reason == "Fraude au mémoire"
        assert row.revoked_by_id == db.session.scalar(sa.select(User.id).where(User.email == DIRECTOR))
    pdf = director.get(f"/awards/{first}/certificate.pdf").data
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Révoqué" in text or "Revoked" in text
    again = director.post(f"/awards/{first}/revoke", data={"csrf_token": csrf_token(show.text), "reason": "twice"})
    assert again.status_code == 422


def test_revocation_is_logged(app, caplog):
    world = build_world(app)
    first, _second = award_both(app, world)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
        award = db.session.get(Award, first)
        with pytest.raises(services.AwardError):
            services.revoke_award(admin, award, "")
        with caplog.at_level("WARNING", logger="lms.awards"):
            services.revoke_award(admin, award, "Erreur de saisie")
        db.session.commit()
        assert award.certificate_number in caplog.text
        from lms.core.models import AuditEvent, AuditLog

        if hasattr(AuditEvent, "AWARD_REVOKED"):
            row = db.session.scalar(sa.select(AuditLog).where(AuditLog.event == AuditEvent.AWARD_REVOKED))
            assert row.details["certificate_number"] == award.certificate_number


@pytest.mark.sqlite_only
def test_zip_of_a_jury_session(app):
    world = build_world(app)
    first, second = award_both(app, world)
    numbers = {award_row(app, first).certificate_number, award_row(app, second).certificate_number}
    director = client_for(app, DIRECTOR)
    page = director.get("/awards/programmes/CC13600A")
    assert f'action="/awards/{first}/session.zip"' in page.text
    assert director.get(f"/awards/{second}/session.zip").status_code == 405  # it starts work: a POST
    queued = director.post(f"/awards/{second}/session.zip", data={"csrf_token": csrf_token(page.text)})
    assert queued.status_code == 302
    job_page = director.get(queued.headers["Location"])  # the tests' queue built it already
    assert job_page.status_code == 200 and "Terminé." in job_page.text
    job_id = int(queued.headers["Location"].split("/")[2].split("?")[0])
    assert director.get(f"/jobs/{job_id}/status").get_json()["percent"] == 100
    response = director.get(f"/jobs/{job_id}/download")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    assert "certificates-CC13600A-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names == sorted(f"certificate-{number}.pdf" for number in numbers)
    for name in names:
        assert archive.read(name).startswith(b"%PDF")
    assert client_for(app, OTHER_DIRECTOR).get(f"/jobs/{job_id}/download").status_code == 404


@pytest.mark.sqlite_only
def test_who_may_see_and_download(app):
    world = build_world(app)
    first, second = award_both(app, world)
    alice = client_for(app, DONE)
    assert alice.get(f"/awards/{first}").status_code == 200
    assert alice.get(f"/awards/{second}").status_code == 403
    assert alice.get(f"/awards/{second}/certificate.pdf").status_code == 403
    token = csrf_token(alice.get("/awards").text)
    assert alice.post(f"/awards/{first}/session.zip", data={"csrf_token": token}).status_code == 403
    assert "CC13600A" in alice.get("/awards").text
    outsider = client_for(app, OTHER_DIRECTOR)
    assert outsider.get(f"/awards/{first}").status_code == 403
    assert outsider.get(f"/awards/{first}/certificate.pdf").status_code == 403
    token = csrf_token(outsider.get("/awards").text)
    assert outsider.post(f"/awards/{first}/session.zip", data={"csrf_token": token}).status_code == 403
    show = outsider.get("/awards")
    assert (
        outsider.post(f"/awards/{first}/revoke", data={"csrf_token": csrf_token(show.text), "reason": "no"}).status_code
        == 403
    )
    bob = client_for(app, NOT_DONE)
    assert bob.get(f"/awards/{first}/certificate.pdf").status_code == 403
    assert client_for(app, ADMIN).get(f"/awards/{first}/certificate.pdf").status_code == 200
    assert app.test_client().get(f"/awards/{first}/certificate.pdf").status_code == 302
    assert client_for(app, DIRECTOR).get("/awards/999/certificate.pdf").status_code == 404
    with app.app_context():
        assert db.session.get(Award, first).revoked_at is None


@pytest.mark.sqlite_only
def test_another_plugin_can_render_the_certificate(app):
    world = build_world(app)
    first, _second = award_both(app, world)

    class Renderer:
        @hookimpl
        def lms_certificate_renderer(self, award):
            return b"%PDF-custom " + award.certificate_number.encode()

    with app.app_context():
        from lms.plugins.manager import plugin_manager

        plugin_manager().register(Renderer(), name="custom-renderer")
    response = client_for(app, DONE).get(f"/awards/{first}/certificate.pdf")
    assert response.data.startswith(b"%PDF-custom CC13600A-")
