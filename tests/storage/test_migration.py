"""Migration cd311f93bc7d on both engines: the PDFs of existing applications move from the old
folder on disk into ``stored_files`` (a missing file is skipped: its download answers 404), the
moved ones download with equal bytes, and a downgrade writes them back where the previous
version reads them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from lms.accounts.models import User
from lms.core.models import StoredFile
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Application, ApplicationDocument
from tests.conftest import make_app
from tests.helpers import client_for
from tests.intakes.world import build_world, pdf_bytes

BEFORE = "9a4c2e7f1b63"
KEPT = "A" * 43 + ".pdf"  # the stored names the previous version gave
LOST = "B" * 43 + ".pdf"


@pytest.fixture
def old_folder(tmp_path) -> Path:
    return tmp_path / "application-documents"


@pytest.fixture
def old_app(database_url, old_folder) -> Iterator[Flask]:
    app = make_app(database_url, APPLICATION_DOCUMENT_FOLDER=str(old_folder))
    with app.app_context():
        downgrade(revision=BEFORE)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def table_names(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_old_documents_move_into_the_database_and_back(old_app, old_folder, capfd):
    assert "stored_files" not in table_names(old_app)
    world = build_world(old_app)
    data = pdf_bytes(pages=2)
    old_folder.mkdir()
    (old_folder / KEPT).write_bytes(data)
    with old_app.app_context():
        candidate = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        application = Application(candidate_id=candidate.id, intake_id=world.master_intake)
        db.session.add(application)
        db.session.flush()
        for stored_name in (KEPT, LOST):
            db.session.add(
                ApplicationDocument(
                    application_id=application.id,
                    filename=f"{stored_name[0]}.pdf",
                    stored_name=stored_name,
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    uploaded_at=utcnow(),
                )
            )
        db.session.commit()
        application_id = application.id
        ids = dict(db.session.execute(sa.select(ApplicationDocument.stored_name, ApplicationDocument.id)).all())

        capfd.readouterr()
        upgrade()  # alembic.ini logs to stderr
        said = capfd.readouterr().err
        assert f"{LOST} is missing" in said and "1 moved" in said and "1 missing" in said
        [moved] = db.session.scalars(sa.select(StoredFile))
        assert (moved.key, moved.kind, moved.name, moved.content) == (KEPT, "application-document", "A.pdf", data)
        assert moved.user_id == candidate.id and moved.sha256 == hashlib.sha256(data).hexdigest()
        db.session.remove()

    client = client_for(old_app, "candidate1@example.org")
    kept = client.get(f"/applications/{application_id}/documents/{ids[KEPT]}")
    assert kept.status_code == 200 and kept.data == data
    assert client.get(f"/applications/{application_id}/documents/{ids[LOST]}").status_code == 404

    # Back to the previous version: the file is where it reads it, even once deleted from the disk.
    (old_folder / KEPT).unlink()
    with old_app.app_context():
        db.session.remove()
        downgrade(revision=BEFORE)
        assert "stored_files" not in set(sa.inspect(db.engine).get_table_names())
        db.session.remove()
    assert (old_folder / KEPT).read_bytes() == data


def test_the_upgrade_without_old_folder_skips_quietly(old_app, old_folder):
    with old_app.app_context():
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0
        db.session.remove()
    assert not old_folder.exists()
