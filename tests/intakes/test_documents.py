"""Application documents: only real PDFs within the size limit, stored outside the web root (in the
database's shared storage) under a random key, downloaded only by the applicant and the intake's
reviewers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.models import StoredFile
from lms.extensions import db
from lms.intakes.models import Application, ApplicationDocument
from tests.helpers import client_for, csrf_token
from tests.intakes.world import apply_form, build_world, pdf_bytes


def upload(client, url, data: bytes, filename="cv.pdf", **fields):
    page = client.get(url)
    form = {
        "csrf_token": csrf_token(page.text),
        **apply_form(save="1"),
        **fields,
        "document": (io.BytesIO(data), filename, "application/pdf"),
    }
    return client.post(url, data=form, content_type="multipart/form-data")


def documents(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(ApplicationDocument)))


def stored_content(app, key: str) -> bytes | None:
    with app.app_context():
        return db.session.scalar(sa.select(StoredFile.content).where(StoredFile.key == key))


def application_id(app, email):
    with app.app_context():
        return db.session.scalar(
            sa.select(Application.id).join(User, Application.candidate_id == User.id).where(User.email == email)
        )


@pytest.mark.sqlite_only
def test_a_pdf_is_stored_outside_the_web_root_and_served_as_an_attachment(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    data = pdf_bytes()
    assert upload(client, f"/intakes/{world.master_intake}/apply", data, filename="../../My CV.pdf").status_code == 303
    [document] = documents(app)
    assert document.filename == "My CV.pdf" and document.size_bytes == len(data)
    assert document.stored_name != document.filename
    assert stored_content(app, document.stored_name) == data
    assert not any(Path(app.static_folder).rglob(document.stored_name + "*"))
    own = application_id(app, "candidate1@example.org")
    response = client.get(f"/applications/{own}/documents/{document.id}")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.sqlite_only
def test_not_a_pdf_is_refused(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    url = f"/intakes/{world.master_intake}/apply"
    renamed = upload(client, url, b"MZ\x90\x00 an executable", filename="cv.pdf")
    assert renamed.status_code == 422 and "Only PDF" in renamed.text
    broken = upload(client, url, b"%PDF-1.7\nnot really a pdf at all", filename="cv.pdf")
    assert broken.status_code == 422 and "cannot be read" in broken.text
    assert documents(app) == []
    assert application_id(app, "candidate1@example.org") is None  # the failed request kept nothing


@pytest.mark.sqlite_only
def test_a_file_too_big_is_refused(app):
    world = build_world(app)
    app.config["APPLICATION_DOCUMENT_MAX_BYTES"] = 2048
    client = client_for(app, "candidate1@example.org")
    big = pdf_bytes() + b"%" + b"x" * 4096 + b"\n"
    response = upload(client, f"/intakes/{world.master_intake}/apply", big)
    assert response.status_code in (413, 422)
    assert "too big" in response.text
    assert documents(app) == []


@pytest.mark.sqlite_only
def test_only_the_applicant_and_the_reviewers_download(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    assert (
        upload(client, f"/intakes/{world.master_intake}/apply", pdf_bytes(), submit_application="1").status_code == 303
    )
    own = application_id(app, "candidate1@example.org")
    [document] = documents(app)
    url = f"/applications/{own}/documents/{document.id}"
    for email in ("candidate2@example.org", "director2@example.org", "tutor@example.org", "learner@example.org"):
        assert client_for(app, email).get(url).status_code == 404, email
    for email in ("admin@example.org", "director@example.org"):
        assert client_for(app, email).get(url).status_code == 200, email
    # A document id under another application is not found either.
    assert client.get(f"/applications/{own + 1}/documents/{document.id}").status_code == 404
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page


@pytest.mark.sqlite_only
def test_a_draft_document_can_be_removed(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    upload(client, f"/intakes/{world.master_intake}/apply", pdf_bytes())
    own = application_id(app, "candidate1@example.org")
    [document] = documents(app)
    assert stored_content(app, document.stored_name) is not None
    page = client.get(f"/applications/{own}")
    response = client.post(
        f"/applications/{own}/documents/{document.id}/delete", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    assert documents(app) == [] and stored_content(app, document.stored_name) is None


@pytest.mark.sqlite_only
def test_reviewers_do_not_see_drafts(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    upload(client, f"/intakes/{world.master_intake}/apply", pdf_bytes())  # saved as a draft
    own = application_id(app, "candidate1@example.org")
    [document] = documents(app)
    admin = client_for(app, "admin@example.org")
    assert admin.get(f"/applications/{own}/documents/{document.id}").status_code == 404
    assert admin.get(f"/admin/intakes/applications/{own}").status_code == 404
    assert client.get(f"/applications/{own}/documents/{document.id}").status_code == 200
