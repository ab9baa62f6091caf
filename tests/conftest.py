"""Shared fixtures. Database tests run on both engines: SQLite and a real PostgreSQL.

Each test gets its own database, copied from a template migrated once per run (a file copy for
SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL), so tests never see each other's rows.

Engines: a test that asks for ``backend`` (through ``app``, ``demo_app``, ``database_url``...) runs
once per engine, ``[sqlite]`` and ``[postgresql]`` (the latter marked ``postgres``, so
``-m "not postgres"`` leaves them out). Mark a test, or a module with ``pytestmark``,
``@pytest.mark.sqlite_only`` when it only checks a page: rendering, markup, access rules, wording.
Tests about data (writes, queries, constraints, concurrency, migrations, imports, audits read from
the database) keep both engines; in doubt, keep both. A test may also parametrize ``backend``
itself (``@pytest.mark.parametrize("backend", [...], indirect=True)``).

Parallel runs (``pytest -n 2``, pytest-xdist): the controller makes one folder for the run and
hands it to the workers. Whichever process needs it first starts the one PostgreSQL server of the
run and builds each template, under a file lock (tests/fixtures/shared.py); per-test copies carry
the worker's process id in their names. The controller (or the only process, without xdist) stops
the server and removes the folder at the very end, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from lms.app import create_app
from lms.extensions import db, limiter
from tests.fixtures.postgres import PostgresDatabases, start_server, stop_server
from tests.fixtures.redis import TemporaryRedis
from tests.fixtures.shared import RunState

BACKENDS = ("sqlite", "postgresql")
RUN_STATE = pytest.StashKey[RunState]()


def make_app(database_url: str, plugins: Iterable[object] = (), **overrides) -> Flask:
    """A testing app on ``database_url``; ``plugins`` are extra plugin objects to register."""
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url, **overrides}, plugins=plugins)
    return app


# --- the run: one folder shared by the controller and the xdist workers ------------------------


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # the xdist controller, or the only process of a run without xdist
        folder = Path(tempfile.mkdtemp(prefix="lms-tests-"))
    else:
        folder = Path(workerinput["lms_run_folder"])
    config.stash[RUN_STATE] = RunState(folder)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """(pytest-xdist, in the controller) Hand the run's folder to each worker."""
    node.workerinput["lms_run_folder"] = str(node.config.stash[RUN_STATE].folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The end of the run (in the controller, after every worker has finished): stop the server."""
    run = config.stash.get(RUN_STATE, None)
    if run is None or hasattr(config, "workerinput"):
        return
    external = os.environ.get("LMS_TEST_POSTGRES_URL")
    if external:  # leave someone else's server as it was found
        databases = PostgresDatabases(external)
        for name in run.names("template-postgresql-"):
            try:
                databases.drop(run.read(name))
            except sa.exc.SQLAlchemyError:
                pass
    state = run.read("postgres")
    if state:
        stop_server(state)
    shutil.rmtree(run.folder, ignore_errors=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test asking for ``backend`` on each engine, or on SQLite alone when marked ``sqlite_only``."""
    if "backend" not in metafunc.fixturenames or _parametrizes(metafunc, "backend"):
        return
    engines = ("sqlite",) if metafunc.definition.get_closest_marker("sqlite_only") else BACKENDS
    metafunc.parametrize("backend", engines, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgresql = callspec is not None and callspec.params.get("backend") == "postgresql"
        if on_postgresql or "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def _parametrizes(metafunc: pytest.Metafunc, name: str) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if isinstance(names, str):
            names = names.split(",")
        if name in (each.strip() for each in names):
            return True
    return False


@pytest.fixture(scope="session")
def run_state(request) -> RunState:
    return request.config.stash[RUN_STATE]


@pytest.fixture(scope="session")
def postgres(run_state) -> PostgresDatabases:
    """The run's PostgreSQL server, started by the first process that needs it (stopped at the end)."""
    url = os.environ.get("LMS_TEST_POSTGRES_URL")
    if not url:
        url = run_state.once("postgres", lambda: start_server(run_state.folder / "postgres"))["url"]
    return PostgresDatabases(url)


class Templates:
    """Migrated (and demo-seeded) template databases, built once per run and engine, by whichever
    process asks first."""

    def __init__(self, run: RunState, request: pytest.FixtureRequest):
        self.run = run
        self.request = request
        self.built: dict[tuple[str, str], str] = {}

    def _postgres(self) -> PostgresDatabases:
        return self.request.getfixturevalue("postgres")

    def template(self, backend: str, kind: str) -> str:
        key = (backend, kind)
        if key not in self.built:
            self.built[key] = self.run.once(f"template-{backend}-{kind}", lambda: self._build(backend, kind))
        return self.built[key]

    def _build(self, backend: str, kind: str) -> str:
        if backend == "sqlite":
            folder = self.run.folder / "templates"
            folder.mkdir(exist_ok=True)
            url = f"sqlite:///{folder / f'{kind}.sqlite3'}"
        else:
            # the run folder's random suffix: two runs sharing an external server keep apart
            url = self._postgres().create(f"lms_template_{kind}_{self.run.folder.name.rsplit('-', 1)[-1]}")
        app = make_app(url)
        with app.app_context():
            upgrade()
            if kind == "demo":
                from lms.demo import DemoSettings, load_demo

                load_demo(DemoSettings(catalogue="six"))  # the small catalogue: fast, and what the tests know
                db.session.commit()
            db.engine.dispose()
        return url

    def copy(self, backend: str, kind: str, dest: Path) -> str:
        url = self.template(backend, kind)
        if backend == "sqlite":
            source = Path(url.removeprefix("sqlite:///"))
            target = dest / f"{kind}.sqlite3"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        return self._postgres().copy(template=sa.make_url(url).database)

    def release(self, backend: str, url: str) -> None:
        if backend == "postgresql":
            self._postgres().drop(url)


@pytest.fixture(scope="session")
def templates(run_state, request) -> Templates:
    return Templates(run_state, request)


@pytest.fixture
def backend(request) -> str:
    """The engine of this test's databases: "sqlite" or "postgresql" (see pytest_generate_tests)."""
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
    url = pg.create(pg.fresh_name("lms_empty"))
    yield url
    pg.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis server for this test process (task queues, shared throttling counters)."""
    if os.environ.get("LMS_TEST_REDIS_URL"):
        yield os.environ["LMS_TEST_REDIS_URL"]
        return
    server = TemporaryRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()
