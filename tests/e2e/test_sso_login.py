"""Single sign-on in a real Chromium: the login page's "Se connecter avec <institution>" button,
the test identity provider on loopback (tests/fixtures/oidc_provider.py) and back, logged in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from lms.extensions import db, limiter
from tests.conftest import make_app
from tests.e2e.conftest import LiveServer
from tests.e2e.support import DEMO_ACCOUNTS, LOGOUT_BUTTON, PASSWORD_LABEL


@pytest.fixture
def sso_server(templates, tmp_path, oidc_provider) -> Iterator[str]:
    """The demo app, its accounts linked by the provider's verified e-mail at the first login."""
    url = templates.copy("sqlite", "demo", tmp_path)
    app = make_app(url, **oidc_provider.settings(OIDC_LINK_BY_EMAIL=True))
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


def test_learner_logs_in_through_the_institution(page, sso_server, oidc_provider):
    oidc_provider.person.claims["email"] = DEMO_ACCOUNTS["learner"]
    page.goto(f"{sso_server}/login")
    button = page.get_by_role("link", name="Se connecter avec Université Exemple")
    expect(page.get_by_label(PASSWORD_LABEL)).to_be_visible()  # the password form stays, below

    with page.expect_navigation(url=f"{sso_server}/"):
        button.click()  # to the provider, which approves at once, and back

    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_contain_text("Camille Dupont")
    assert oidc_provider.hits.get("/authorize") == 1 and oidc_provider.hits.get("/token") == 1
    page.get_by_role("navigation").get_by_role("button", name=LOGOUT_BUTTON).click()
    expect(page).to_have_url(re.compile(re.escape(f"{sso_server}/login")))


def test_a_refused_sso_login_shows_an_accessible_page(page, sso_server, oidc_provider):
    oidc_provider.misbehave = {"bad_signature"}
    page.goto(f"{sso_server}/login")
    page.get_by_role("link", name="Se connecter avec Université Exemple").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("La connexion avec Université Exemple a échoué")
    expect(page.get_by_role("alert")).to_contain_text("n'a pas pu être vérifiée")
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert blocking == [], blocking
    page.get_by_role("link", name="Retour à la page de connexion").click()
    expect(page.get_by_label(PASSWORD_LABEL)).to_be_visible()
