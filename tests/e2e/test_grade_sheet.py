"""In a real Chromium: a tutor fills a grade sheet from the keyboard, meets a row error, publishes
through the confirmation page (the count of learners, the exam still to come).

A live server on a copy of the demo database (fixtures in ``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation


def test_tutor_enters_grades_with_the_keyboard_and_publishes(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["tutor"])
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Mes enseignements|My offerings")).click()
    expect(page.locator("main h1")).to_be_visible()
    assert_no_serious_violation(page, "the tutor's offerings")
    # the newest offerings come first: their session-1 sheets have no grade yet
    href = page.evaluate(
        """() => {
            for (const row of document.querySelectorAll("main tbody tr")) {
                const registered = parseInt(row.cells[5].textContent), toEnter = parseInt(row.cells[6].textContent);
                if (registered >= 2 && toEnter === registered) return row.cells[7].querySelector("a").href;
            }
            return null;
        }"""
    )
    assert href, "the demo tutor has an offering with learners and no grade yet"
    page.goto(href)
    grades = page.locator("main input[name^=grade-]")
    expect(grades.first).to_be_visible()
    entered = grades.count()
    assert entered >= 2
    assert_no_serious_violation(page, "a grade sheet")

    grades.first.focus()
    page.keyboard.type("12,5")
    page.keyboard.press("Tab")  # the "absent" box of the same row
    page.keyboard.press("Tab")  # the grade of the next row
    expect(grades.nth(1)).to_be_focused()
    page.keyboard.type("abc")
    page.get_by_role("button", name=re.compile("Publier|Publish")).click()

    expect(page.locator("main [role=alert]").first).to_be_visible()
    expect(grades.first).to_have_value("12,5")  # kept, not saved
    expect(grades.nth(1)).to_have_value("abc")
    expect(grades.nth(1)).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violation(page, "a grade sheet with a row error")

    grades.nth(1).fill("9")
    first_learner = page.locator("main tbody tr").first.locator("th").inner_text()
    page.get_by_role("button", name=re.compile("Publier|Publish")).click()

    # the confirmation: how many learners, and (the demo's current exams are still to come) the
    # extra box for a publication before the exam date
    expect(page.locator("#publish-count")).to_contain_text(re.compile(r"2 (apprenants verront|learners will see)"))
    assert_no_serious_violation(page, "the confirmation of a publication")
    publish = page.get_by_role("button", name=re.compile("^(Publier|Publish)$"))
    publish.click()
    expect(page.locator("main [role=alert]").first).to_be_visible()  # the box was not ticked
    page.get_by_label(re.compile("J’ai vérifié ces résultats|I have checked these results")).check()
    page.get_by_label(re.compile("L’examen n’a pas encore eu lieu|The exam has not taken place yet")).check()
    page.get_by_role("button", name=re.compile("^(Publier|Publish)$")).click()

    expect(page.locator("main")).to_contain_text(re.compile("Publié|Published"))
    row = page.locator("main tbody tr", has=page.get_by_role("rowheader", name=first_learner, exact=True))
    expect(row).to_contain_text("12,50/20")  # published: read-only, corrected only with a reason
    expect(row.get_by_role("link", name=re.compile("Corriger|Correct"))).to_be_visible()
    expect(page.locator("main input[name^=grade-]")).to_have_count(entered - 2)
