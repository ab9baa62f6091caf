"""The storage interface (lms.core.storage) on both engines: bytes read back equal, kinds keep
apart, deleting and purging, and a rolled-back transaction or request leaves no stored file and
no file on disk."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core import storage
from lms.core.access import public
from lms.core.models import StoredFile
from lms.core.time import utcnow
from lms.extensions import db
from lms.plugins import hookimpl
from tests.conftest import make_app
from tests.storage.disk import files_written, listing

DATA = bytes(range(256)) * 1000 + b"\x00end"  # binary, NUL bytes included, 256 kB


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(StoredFile.id)))


def test_bytes_read_back_equal_and_kinds_keep_apart(app):
    with app.app_context():
        key = storage.put("test:kind", DATA, name="data.bin", media_type="application/x-test", meta={"n": 1})
        db.session.commit()
    with app.app_context():
        stored = storage.get(key)
        assert stored.content == DATA and stored.size == len(DATA)
        assert stored.sha256 == hashlib.sha256(DATA).hexdigest()
        assert (stored.kind, stored.name, stored.media_type, dict(stored.meta)) == (
            "test:kind",
            "data.bin",
            "application/x-test",
            {"n": 1},
        )
        assert storage.get(key, kind="test:kind") is not None
        assert storage.get(key, kind="upload:catalog") is None  # another kind's key reads nothing
        assert storage.get("unknown") is None and storage.get("") is None and storage.get("x" * 200) is None
        assert storage.delete(key) is True and storage.delete(key) is False
        db.session.commit()
    assert stored_count(app) == 0


def test_purge_removes_only_the_old_files_of_one_kind(app):
    with app.app_context():
        old = storage.put("test:a", b"old", name="old")
        fresh = storage.put("test:a", b"fresh", name="fresh")
        other = storage.put("test:b", b"other", name="other")
        db.session.execute(
            sa.update(StoredFile)
            .where(StoredFile.key.in_([old, other]))
            .values(created_at=utcnow() - timedelta(hours=2))
        )
        assert storage.purge_older_than("test:a", timedelta(hours=1)) == 1
        assert storage.purge_older_than("test:a", 3600) == 0  # seconds work too
        db.session.commit()
        assert storage.get(old) is None
        assert storage.get(fresh).content == b"fresh" and storage.get(other).content == b"other"


def test_a_rollback_leaves_no_stored_file(app, monkeypatch):
    with app.app_context(), files_written(monkeypatch) as written:
        key = storage.put("test:kind", DATA, name="data.bin")
        assert storage.get(key).content == DATA  # the transaction reads its own write
        db.session.rollback()
        assert storage.get(key) is None
    assert written == []
    assert stored_count(app) == 0


class Storing:
    """Routes that store a file, then fail: with an exception (500) or a refusal (422)."""

    name = "storing"

    @hookimpl
    def lms_load_blueprints(self, app):
        from flask import Blueprint, abort

        bp = Blueprint("storing", __name__)

        @bp.route("/store-then-fail")
        @public
        def store_then_fail():
            storage.put("test:kind", DATA, name="doomed.bin")
            raise RuntimeError("after the write")

        @bp.route("/store-then-refuse")
        @public
        def store_then_refuse():
            storage.put("test:kind", DATA, name="refused.bin")
            abort(422)

        @bp.route("/store")
        @public
        def store():
            return storage.put("test:kind", DATA, name="kept.bin")

        app.register_blueprint(bp)


@pytest.fixture
def storing_app(database_url):
    app = make_app(database_url, plugins=[Storing()])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_rolled_back_request_leaves_no_stored_file_and_no_disk_file(storing_app, monkeypatch):
    client = storing_app.test_client()
    before = listing(storing_app.instance_path)
    with files_written(monkeypatch) as written:
        assert client.get("/store-then-fail").status_code == 500
        assert client.get("/store-then-refuse").status_code == 422
    assert written == [] and listing(storing_app.instance_path) == before
    assert stored_count(storing_app) == 0
    # The same write in a request that succeeds is kept, and still not on the disk.
    with files_written(monkeypatch) as written:
        kept = client.get("/store")
    assert kept.status_code == 200 and written == []
    with storing_app.app_context():
        assert storage.get(kept.text).content == DATA


def test_the_disk_watch_sees_python_writes(tmp_path, monkeypatch):
    import tempfile

    with files_written(monkeypatch) as written:
        (tmp_path / "a.bin").write_bytes(b"a")
        with open(tmp_path / "b.txt", "w") as stream:
            stream.write("b")
        with tempfile.NamedTemporaryFile(dir=tmp_path):
            pass
        (tmp_path / "a.bin").read_bytes()  # reading is not writing
    assert {name.rsplit("/", 1)[-1][:1] for name in written} == {"a", "b", "t"}


def test_the_command_line_shows_usage_and_purges_expired_uploads(app):
    from lms.core.uploads import STORES

    assert {"upload:catalog", "upload:grade", "upload:attendance"} <= set(STORES)  # every area's uploads
    runner = app.test_cli_runner()
    assert runner.invoke(args=["storage", "usage"]).output == "no stored file\n"
    with app.app_context():
        old = storage.put("upload:grade", b"old", name="old.csv")
        storage.put("upload:grade", b"fresh!", name="fresh.csv")
        storage.put("application-document", b"%PDF-", name="cv.pdf")
        db.session.execute(
            sa.update(StoredFile).where(StoredFile.key == old).values(created_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
    usage = runner.invoke(args=["storage", "usage"])
    assert usage.exit_code == 0
    assert usage.output == "application-document: 1 file(s), 5 bytes\nupload:grade: 2 file(s), 9 bytes\n"
    purged = runner.invoke(args=["storage", "purge-uploads"])
    assert purged.exit_code == 0 and "upload:grade: 1 expired upload(s) deleted" in purged.output
    assert stored_count(app) == 2  # the fresh upload and the document stay
