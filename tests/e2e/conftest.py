"""Browser tests: a real Chromium (Debian's, driven by Playwright) against a live demo server.

Every test here is marked ``e2e``. The server runs the app on a fresh copy of the SQLite demo
database for each test (so login throttling, sessions and data never leak between tests).
Playwright's own browser download is not used: Debian's ``/usr/bin/chromium`` is launched instead
(override with ``LMS_E2E_CHROMIUM``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.extensions import db, limiter
from tests.conftest import make_app
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, EMAIL_LABEL, LOGIN_BUTTON, PASSWORD_LABEL
from tests.fixtures.oidc_provider import oidc_provider  # noqa: F401  (a fixture: the test identity provider)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


class LiveServer:
    def __init__(self, app, host: str = "127.0.0.1"):
        self.app = app
        self.server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="lms-e2e-server", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(templates, tmp_path) -> Iterator[str]:
    """Base URL (no trailing slash) of the app serving a fresh copy of the SQLite demo database."""
    url = templates.copy("sqlite", "demo", tmp_path)
    app = make_app(url)
    with app.app_context():
        limiter.reset()
    server = LiveServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (cookies, storage) per test, in French like the app's default."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def log_in(live_server):
    """``log_in(page, email, password=DEMO_PASSWORD)``: log in through the real form, filling the
    fields by their visible label, and wait for the page that follows."""

    def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(f"{live_server}/login")
        page.get_by_label(EMAIL_LABEL).fill(email)
        page.get_by_label(PASSWORD_LABEL).fill(password)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name=LOGIN_BUTTON).click()

    return log_in
