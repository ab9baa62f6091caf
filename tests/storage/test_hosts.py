"""Several hosts on one database: an upload previewed through one app instance is confirmed
through another, a PDF sent through one is downloaded through the other (bytes equal), and a
refused request keeps no document. Two ``create_app()`` on one SQLite file or one PostgreSQL
database; nothing shared between them but the database (and the secret key, as hosts share it)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts.models import User
from lms.catalog.models import Unit
from lms.core.models import StoredFile
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.intakes.models import Application, ApplicationDocument
from lms.results.models import ResultStatus
from tests.catalog.test_pages import NEW_FILE, token_in
from tests.catalog.test_pages import upload as upload_catalogue
from tests.conftest import make_app
from tests.helpers import client_for, csrf_token
from tests.intakes.world import apply_form, pdf_bytes
from tests.intakes.world import build_world as intakes_world
from tests.results.test_import_pages import hidden, import_url, numbers, plain_csv, upload
from tests.results.world import build_world as results_world
from tests.results.world import results, sheet_url
from tests.storage.disk import files_written, listing


def second_host(app: Flask) -> Iterator[Flask]:
    """A second app instance on the database of ``app``: another web host."""
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"])
    assert second is not app and second.extensions is not app.extensions
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def other_host(app) -> Iterator[Flask]:
    yield from second_host(app)


@pytest.fixture
def other_demo_host(demo_app) -> Iterator[Flask]:
    yield from second_host(demo_app)


def moved_to(client: FlaskClient, host: Flask) -> FlaskClient:
    """The same browser, its next request reaching ``host``: the same cookies, another app."""
    moved = host.test_client()
    for cookie in client._cookies.values():
        moved.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return moved


def stored(app, kind: str) -> list[StoredFile]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(StoredFile).where(StoredFile.kind == kind)))
        db.session.expunge_all()
        return rows


def test_a_grade_upload_previewed_on_one_host_is_confirmed_on_another(app, other_host, monkeypatch):
    world = results_world(app)
    a, b, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    with files_written(monkeypatch) as written:
        preview = upload(tutor, world.offering, plain_csv([(a, "12"), (b, "15")]), "grades.csv", "csv")
    assert preview.status_code == 200 and written == []
    [waiting] = stored(other_host, "upload:grade")
    assert waiting.key == hidden(preview.text, "token")

    on_b = moved_to(tutor, other_host)
    with files_written(monkeypatch) as written:
        done = on_b.post(
            f"{import_url(world.offering)}/confirm",
            data={"csrf_token": csrf_token(preview.text), "token": waiting.key},
        )
    assert done.status_code == 302 and done.headers["Location"].endswith(sheet_url(world.offering)), done.text[:500]
    assert written == []
    saved = results(app, world.registrations)
    assert {r.status for r in saved.values()} == {ResultStatus.DRAFT} and len(saved) == 2
    assert stored(app, "upload:grade") == []  # used: gone for both hosts


def test_a_pdf_sent_through_one_host_is_downloaded_through_another(app, other_host, monkeypatch):
    world = intakes_world(app)
    candidate = client_for(app, "candidate1@example.org")
    url = f"/intakes/{world.master_intake}/apply"
    data = pdf_bytes(pages=3)
    before = listing(app.instance_path)
    with files_written(monkeypatch) as written:
        sent = candidate.post(
            url,
            data={
                "csrf_token": csrf_token(candidate.get(url).text),
                **apply_form(save="1"),
                "document": (io.BytesIO(data), "cv.pdf", "application/pdf"),
            },
            content_type="multipart/form-data",
        )
    assert sent.status_code == 303 and written == [] and listing(app.instance_path) == before
    with other_host.app_context():
        document = db.session.scalar(sa.select(ApplicationDocument))
        path = f"/applications/{document.application_id}/documents/{document.id}"
    download = moved_to(candidate, other_host).get(path)
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=cv.pdf"
    [row] = stored(other_host, "application-document")
    assert row.key == document.stored_name and row.size == len(data)


def test_a_refused_submission_keeps_no_document(app, other_host, monkeypatch):
    world = intakes_world(app)
    candidate = client_for(app, "candidate1@example.org")
    url = f"/intakes/{world.master_intake}/apply"
    with files_written(monkeypatch) as written:
        refused = candidate.post(
            url,
            data={
                "csrf_token": csrf_token(candidate.get(url).text),
                **apply_form(funding="", submit_application="1"),  # submitting needs a funding
                "document": (io.BytesIO(pdf_bytes()), "cv.pdf", "application/pdf"),
            },
            content_type="multipart/form-data",
        )
    assert refused.status_code == 422 and "funded" in refused.text
    assert written == []
    assert stored(other_host, "application-document") == []
    with other_host.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApplicationDocument.id))) == 0
        candidate_id = db.session.scalar(sa.select(User.id).where(User.email == "candidate1@example.org"))
        assert db.session.scalar(sa.select(Application).where(Application.candidate_id == candidate_id)) is None


def test_a_catalogue_previewed_on_one_host_is_imported_on_another(demo_app, other_demo_host, monkeypatch):
    admin = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    preview = upload_catalogue(admin, "licence-2027.yaml", NEW_FILE)
    assert preview.status_code == 200
    token = token_in(preview.text)
    [waiting] = stored(other_demo_host, "upload:catalog")
    assert waiting.key == token and waiting.name == "licence-2027.yaml"
    with other_demo_host.app_context():
        assert db.session.get(StoredFile, waiting.id).content == NEW_FILE.encode()

    on_b = moved_to(admin, other_demo_host)
    done = on_b.post("/catalog/import/confirm", data={"csrf_token": csrf_token(preview.text), "token": token})
    assert done.status_code == 302, done.text[:500]
    assert "licence-2027.yaml" in on_b.get(done.headers["Location"]).text
    with demo_app.app_context():
        assert db.session.scalar(sa.select(Unit.code).where(Unit.code == "NEW101")) == "NEW101"
    assert stored(demo_app, "upload:catalog") == []
