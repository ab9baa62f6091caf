"""Login, logout, accessibility (axe-core) and keyboard use, in a real Chromium.

axe-core is injected with ``page.evaluate`` (DevTools protocol), which the pages' strict
Content-Security-Policy (script-src 'self') does not block in Chromium: the audits run on an
ordinary context, without ``bypass_csp``, so they see the pages exactly as users get them.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.support import (
    DEMO_ACCOUNTS,
    EMAIL_LABEL,
    LOGIN_ERROR,
    LOGOUT_BUTTON,
    PASSWORD_LABEL,
    SKIP_LINK,
)

BLOCKING_IMPACTS = ("serious", "critical")


def login_url(live_server: str) -> re.Pattern[str]:
    return re.compile(re.escape(f"{live_server}/login") + r"(\?.*)?$")


# --- login and logout -------------------------------------------------------------------------


def test_learner_logs_in_sees_programme_and_logs_out(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["learner"])

    expect(page).to_have_url(f"{live_server}/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_contain_text("Camille Dupont")
    expect(main).to_contain_text("LG02501A")

    page.get_by_role("navigation").get_by_role("button", name=LOGOUT_BUTTON).click()

    expect(page).to_have_url(login_url(live_server))
    expect(page.get_by_label(PASSWORD_LABEL)).to_be_visible()
    expect(page.get_by_role("status")).to_be_visible()  # "you are logged out"
    # Logged out for real: the home page sends back to the login form.
    page.goto(f"{live_server}/")
    expect(page).to_have_url(login_url(live_server))


def test_wrong_password_shows_an_error_and_stays_on_login(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["learner"], password="not-the-password")

    expect(page).to_have_url(login_url(live_server))
    password = page.get_by_label(PASSWORD_LABEL)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_value("")  # never sent back to the browser
    error_ids = (password.get_attribute("aria-describedby") or "").split()
    assert error_ids, "the error message is not tied to the password field (aria-describedby)"
    error = page.locator(f"#{error_ids[-1]}")
    expect(error).to_be_visible()
    expect(error).to_have_text(LOGIN_ERROR)
    expect(page.get_by_label(EMAIL_LABEL)).to_have_value(DEMO_ACCOUNTS["learner"])
    # Still anonymous: no logout button anywhere.
    expect(page.get_by_role("button", name=LOGOUT_BUTTON)).to_have_count(0)


# --- accessibility (axe-core) -----------------------------------------------------------------


def assert_no_serious_violation(page, what: str) -> None:
    results = Axe().run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core: {len(blocking)} serious/critical violation(s) on {what} ({page.url}):"]
        for violation in blocking:
            lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']} ({violation['helpUrl']})")
            for node in violation["nodes"][:3]:
                lines.append(f"    {node['target']}: {node['html'][:160]}")
                summary = (node.get("failureSummary") or "").replace("\n", " ")
                if summary:
                    lines.append(f"      {summary[:300]}")
            if len(violation["nodes"]) > 3:
                lines.append(f"    ... and {len(violation['nodes']) - 3} more node(s)")
        pytest.fail("\n".join(lines), pytrace=False)


def test_axe_login_page(page, live_server, log_in):
    page.goto(f"{live_server}/login")
    assert_no_serious_violation(page, "the login page")
    # The same page showing a validation error.
    log_in(page, DEMO_ACCOUNTS["learner"], password="not-the-password")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violation(page, "the login page with an error")


@pytest.mark.parametrize("role", list(DEMO_ACCOUNTS))
def test_axe_home_page(page, live_server, log_in, role):
    log_in(page, DEMO_ACCOUNTS[role])
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("button", name=LOGOUT_BUTTON)).to_be_attached()
    assert_no_serious_violation(page, f"the {role}'s home page")


def test_axe_catalogue_as_admin(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["admin"])
    response = page.goto(f"{live_server}/catalog/programmes")
    assert response is not None and response.status == 200
    expect(page.locator("main table").first).to_be_visible()
    assert_no_serious_violation(page, "the programme catalogue")


def test_axe_catches_a_planted_violation(page, live_server):
    """Guards the audits above against passing vacuously (axe not really running)."""
    page.goto(f"{live_server}/login")
    page.evaluate(
        """() => {
            const input = document.createElement("input");  // a field with no label
            input.type = "text";
            document.querySelector("main").append(input);
        }"""
    )
    violations = Axe().run(page).response["violations"]
    assert "label" in {v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS}


# --- keyboard ---------------------------------------------------------------------------------


def test_first_tab_reaches_skip_link_which_moves_focus_to_main(page, live_server):
    page.goto(f"{live_server}/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=SKIP_LINK)
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, not left off-screen

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues from main: into the login form, not back to the navbar.
    page.keyboard.press("Tab")
    expect(page.get_by_label(EMAIL_LABEL)).to_be_focused()
