"""The learner's whole journey through their cockpit, in a real Chromium, with a screenshot of
every step: dashboard, requirement tree, timeline, closest credentials, what-if, a saved study
plan and the transcript PDF."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS


def test_learner_goes_through_the_cockpit(page, live_server, log_in, tmp_path):
    shots = []

    def shot(name: str) -> None:
        path = tmp_path / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    log_in(page, DEMO_ACCOUNTS["learner"])
    page.goto(f"{live_server}/me/")
    main = page.locator("main")
    expect(main).to_contain_text("LG02501A")
    expect(main).to_contain_text("CC0400A")
    shot("dashboard")

    main.locator('a[href="/me/programmes/LG02501A"]').click()
    expect(page).to_have_url(f"{live_server}/me/programmes/LG02501A")
    expect(page.locator("main")).to_contain_text("UAAL0T")
    shot("requirements")

    page.goto(f"{live_server}/me/timeline")
    expect(page.locator("main svg[role=img]")).to_be_visible()
    shot("timeline")

    page.goto(f"{live_server}/me/credentials")
    expect(page.locator("main table")).to_contain_text("CS6800A")
    shot("credentials")

    page.goto(f"{live_server}/me/what-if")
    page.locator("main form select").first.select_option(index=1)
    page.locator("main form [type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("ECTS")
    shot("what-if")

    page.goto(f"{live_server}/me/plan")
    page.locator("main a", has_text="LG02501A").first.click()
    expect(page).to_have_url(re.compile(r"/me/plan/\d+"))
    page.locator('main form[method="get"] [type=submit]').click()
    save = page.locator('main form[action$="/save"] [type=submit]')
    expect(save).to_be_visible(timeout=15000)
    save.click()
    expect(page.locator('main form[action$="/delete"]')).to_be_visible()
    shot("saved-plan")

    with page.expect_download() as download:
        page.goto(f"{live_server}/me/")
        page.locator('a[href^="/me/transcript.pdf"]').first.click()
    pdf = download.value.path()
    with open(pdf, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    assert len(shots) == 6 and all(path.stat().st_size > 10_000 for path in shots)
