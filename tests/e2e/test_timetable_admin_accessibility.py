"""Accessibility (axe-core, serious and critical rules) of the administrators' timetable pages,
in a real Chromium on the demo data: lists, a form with errors, previews, cancelled meetings."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation


def test_axe_admin_timetable_pages(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["admin"])
    base = f"{live_server}/admin/timetable"
    for path in ("/centres", "/centres/new", "/offerings", "/offerings/new"):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert_no_serious_violation(page, path)

    # the offering form showing errors
    page.goto(f"{base}/offerings/new")
    page.locator("#unit_code").fill("XXX999")
    page.locator("#capacity").fill("0")
    page.locator("main form [type=submit]").last.click()
    expect(page.locator("#capacity")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violation(page, "the offering form with errors")

    # the first offering's meetings: generate a preview, create, cancel one
    page.goto(f"{base}/offerings")
    page.locator('main table a[href$="/meetings"]').first.click()
    assert_no_serious_violation(page, "the meetings of an offering")
    page.locator('main a[href$="/meetings/generate"]').first.click()
    page.locator("#start").fill("18:00")
    page.locator("#end").fill("20:00")
    page.locator("#mode").select_option("remote")
    page.locator("#video_url").fill("https://visio.example.org/x")
    page.locator("#closures").fill("2026-12-21..2027-01-03 Christmas\nnot a date")
    page.locator("#preview").click()
    expect(page.locator("#closures")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violation(page, "the generator with a bad line")
    page.locator("#closures").fill("2026-12-21..2027-01-03 Christmas")
    page.locator("#preview").click()
    expect(page.locator("#preview-heading")).to_be_visible()
    assert_no_serious_violation(page, "the generator preview")
    page.locator("#confirm").click()
    page.locator('main table a[href$="/cancel"]').first.click()
    page.locator("#notice").fill("The tutor is ill.")
    page.locator("main form [type=submit]").last.click()
    expect(page.locator("main del").first).to_be_visible()
    assert_no_serious_violation(page, "the meetings with a cancelled one")

    page.goto(f"{base}/offerings/copy")
    page.locator("#preview").click()
    expect(page.locator("#preview-heading")).to_be_visible()
    assert_no_serious_violation(page, "the copy preview")
