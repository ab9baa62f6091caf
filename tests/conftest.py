"""Shared fixtures. Database tests run on both engines: SQLite and a real PostgreSQL.

Each test gets its own database, copied from a template migrated once per session (a file copy
for SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL), so tests never see each other's rows.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from lms.app import create_app
from lms.extensions import db, limiter
from tests.fixtures.postgres import PostgresDatabases, TemporaryPostgres, wait_until_ready

BACKENDS = ("sqlite", "postgresql")


def make_app(database_url: str, plugins: Iterable[object] = (), **overrides) -> Flask:
    """A testing app on ``database_url``; ``plugins`` are extra plugin objects to register."""
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url, **overrides}, plugins=plugins)
    return app


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    import os

    url = os.environ.get("LMS_TEST_POSTGRES_URL")
    if url:
        yield PostgresDatabases(url)
        return
    base = Path(tempfile.mkdtemp(prefix="lms-pg-"))
    server = TemporaryPostgres(base / "cluster")
    server.start()
    try:
        wait_until_ready(server.url)
        yield PostgresDatabases(server.url)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


class Templates:
    """Migrated (and demo-seeded) template databases, built lazily once per backend."""

    def __init__(self, tmp: Path, request: pytest.FixtureRequest):
        self.tmp = tmp
        self.request = request
        self.built: dict[tuple[str, str], str] = {}

    def _postgres(self) -> PostgresDatabases:
        return self.request.getfixturevalue("postgres")

    def template(self, backend: str, kind: str) -> str:
        key = (backend, kind)
        if key in self.built:
            return self.built[key]
        if backend == "sqlite":
            path = self.tmp / f"template-{kind}.sqlite3"
            url = f"sqlite:///{path}"
        else:
            url = self._postgres().create(f"lms_template_{kind}")
        app = make_app(url)
        with app.app_context():
            upgrade()
            if kind == "demo":
                from lms.demo import DemoSettings, load_demo

                load_demo(DemoSettings())
                db.session.commit()
            db.engine.dispose()
        self.built[key] = url
        return url

    def copy(self, backend: str, kind: str, dest: Path) -> str:
        url = self.template(backend, kind)
        if backend == "sqlite":
            source = Path(url.removeprefix("sqlite:///"))
            target = dest / f"{kind}.sqlite3"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        return self._postgres().copy(template=f"lms_template_{kind}")

    def release(self, backend: str, url: str) -> None:
        if backend == "postgresql":
            self._postgres().drop(url)


@pytest.fixture(scope="session")
def templates(tmp_path_factory, request) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), request)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def _app_on(templates: Templates, backend: str, kind: str, tmp_path: Path) -> Iterator[Flask]:
    url = templates.copy(backend, kind, tmp_path)
    app = make_app(url)
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.release(backend, url)


@pytest.fixture
def app(templates, backend, tmp_path) -> Iterator[Flask]:
    """An app on a freshly migrated, empty database of ``backend``."""
    yield from _app_on(templates, backend, "migrated", tmp_path)


@pytest.fixture
def demo_app(templates, backend, tmp_path) -> Iterator[Flask]:
    """An app on a database holding the demo data."""
    yield from _app_on(templates, backend, "demo", tmp_path)


@pytest.fixture
def database_url(templates, backend, tmp_path) -> Iterator[str]:
    """A freshly migrated database URL (for tests that build their own app or engine)."""
    url = templates.copy(backend, "migrated", tmp_path)
    yield url
    templates.release(backend, url)


@pytest.fixture
def empty_database_url(backend, tmp_path, request) -> Iterator[str]:
    """A database with no table at all (migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    pg: PostgresDatabases = request.getfixturevalue("postgres")
    pg.counter += 1
    url = pg.create(f"lms_empty_{pg.counter}")
    yield url
    pg.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()
