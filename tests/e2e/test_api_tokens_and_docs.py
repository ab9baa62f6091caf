"""In Chromium: a learner makes an API token on the account page and copies it (shown once), a
program uses it; the API's documentation page renders Swagger UI from the site's own files under
the site's content security policy (no console error, no blocked resource)."""

from __future__ import annotations

import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS


def test_a_learner_makes_a_token_and_a_program_uses_it(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["learner"])
    page.goto(f"{live_server}/account/password")
    page.get_by_role("link", name="Jetons d'API").click()
    expect(page.get_by_role("heading", name="Jetons d'API", level=1)).to_be_visible()
    page.get_by_label("Nom").fill("mon tableur")
    page.get_by_label("Portée").select_option("read")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_label("Jeton", exact=True).input_value()
    assert secret.startswith("lms_")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    me = requests.get(f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == DEMO_ACCOUNTS["learner"]
    page.reload()
    assert secret not in page.content()
    page.get_by_role("button", name="Révoquer mon tableur").click()
    expect(page.get_by_text("révoqué", exact=True)).to_be_visible()
    gone = requests.get(f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert gone.status_code == 401


def test_the_api_documentation_renders_under_the_sites_csp(page, live_server):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server) else outside.append(request.url))
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("lms")
    expect(page.get_by_text("/api/v1/learners/{number}/audits/{code}").first).to_be_visible()
    assert not problems, problems
    assert not [url for url in outside if not url.startswith("data:")], outside
