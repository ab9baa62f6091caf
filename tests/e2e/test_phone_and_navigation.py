"""In a real Chromium: the navigation bar keeps about six top-level entries per role and fits one
line at 1280 px; its menus open with the keyboard and close with Escape; on a 390 px phone nothing
scrolls sideways, the menus are reachable and the offerings page shows its "S'inscrire" button.
axe-core finds no serious or critical violation on these pages, menus open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS
from tests.e2e.test_learner_registers import CODE, add_offering_with_a_meeting_next_week
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation

PHONE = {"width": 390, "height": 844}
REGISTER = re.compile(r"^\s*S'inscrire\b")

TOP_LEVEL = "header nav ul.navbar-nav > li.nav-item"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("role", ["learner", "tutor", "director", "admin"])
def test_at_most_six_top_level_entries_on_one_line(page, live_server, log_in, role):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, DEMO_ACCOUNTS[role])
    entries = page.locator(TOP_LEVEL)
    assert 3 <= entries.count() <= 6
    logout = page.locator("header nav form[action$='/logout'] button")
    middles = [box["y"] + box["height"] / 2 for box in (item.bounding_box() for item in [*entries.all(), logout])]
    assert max(middles) - min(middles) < 10, "the entries or the log-out button wrap onto another line"
    assert no_sideways_scroll(page)


def test_menus_work_with_the_keyboard(page, live_server, log_in):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, DEMO_ACCOUNTS["admin"])
    menus = page.locator("header details.nav-menu")
    first, second = menus.nth(0), menus.nth(1)
    link = first.locator(".dropdown-item").first
    expect(link).to_be_hidden()
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(link).to_be_visible()
    assert_no_serious_violation(page, "the home page, a menu open")
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()
    expect(first.locator("summary")).to_be_focused()
    page.keyboard.press("Space")
    expect(link).to_be_visible()
    second.locator("summary").click()  # one menu open at a time
    expect(link).to_be_hidden()
    expect(second.locator(".dropdown-item").first).to_be_visible()
    target = second.locator(".dropdown-item").first.get_attribute("href")
    with page.expect_navigation():
        second.locator(".dropdown-item").first.click()
    assert page.url.endswith(target)
    expect(page.locator(f"header details.nav-menu a[href='{target}']")).to_have_attribute("aria-current", "page")


def test_the_offerings_page_on_a_phone(browser, live_server, tmp_path):
    add_offering_with_a_meeting_next_week(str(tmp_path / "demo.sqlite3"))
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        from tests.e2e.support import DEMO_PASSWORD, EMAIL_LABEL, LOGIN_BUTTON, PASSWORD_LABEL

        page.goto(f"{live_server}/login")
        assert no_sideways_scroll(page)
        page.get_by_label(EMAIL_LABEL).fill(DEMO_ACCOUNTS["learner"])
        page.get_by_label(PASSWORD_LABEL).fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name=LOGIN_BUTTON).click()
        assert no_sideways_scroll(page), "the home page scrolls sideways"

        # The bar is folded behind its toggle; the menus open inside it.
        toggle = page.locator("header .navbar-toggler")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        catalogue = page.locator("header details.nav-menu", has=page.locator("a[href='/offerings']"))
        catalogue.locator("summary").click()
        offerings = catalogue.locator("a[href='/offerings']")
        expect(offerings).to_be_visible()
        assert no_sideways_scroll(page), "the open menu scrolls sideways"
        assert_no_serious_violation(page, "the phone home page, menu open")
        with page.expect_navigation():
            offerings.click()

        assert no_sideways_scroll(page), "the offerings page scrolls sideways"
        card = page.locator("main tbody tr", has_text=CODE)
        button = card.get_by_role("button", name=REGISTER)
        expect(button).to_be_visible()
        # Where it is, without scrolling anything sideways (a table in a scrolling box would put it
        # past the right edge of the screen).
        box, width = button.bounding_box(), page.evaluate("window.innerWidth")
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the button is off screen: {box}"
        assert_no_serious_violation(page, "the offerings page on a phone")
    finally:
        context.close()
