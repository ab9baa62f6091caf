"""In a real Chromium: a grade published on a sheet reaches the learner at once — the unit shows
its grade and the stored progress of their programme moves."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from tests.e2e.support import DEMO_ACCOUNTS

VALIDATED = re.compile(r"(\d+) ECTS validés")


def demo_learner_registration(database: str) -> tuple[int, int, str, int]:
    """A current-year UE registration of the demo learner: (offering, registration, unit, ECTS)."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            """SELECT o.id, r.id, u.code, CAST(u.ects AS INTEGER) FROM registrations r
               JOIN learners l ON l.id = r.learner_id JOIN offerings o ON o.id = r.offering_id
               JOIN units u ON u.id = o.unit_id
               WHERE l.learner_number = '100000W' AND o.academic_year = 2026 AND u.kind = 'UE'
                 AND u.code IN ('UTC504', 'UTC505', 'SEC101', 'TED001')
               ORDER BY u.code LIMIT 1"""
        ).fetchone()


def licence_validated(page) -> int:
    block = page.locator("main li", has_text="LG02501A").first
    return int(VALIDATED.search(block.inner_text()).group(1))


def test_published_grade_reaches_the_learner(browser, live_server, log_in, tmp_path):
    offering_id, registration_id, unit, ects = demo_learner_registration(str(tmp_path / "demo.sqlite3"))

    learner = browser.new_context(locale="fr-FR").new_page()
    log_in(learner, DEMO_ACCOUNTS["learner"])
    before = licence_validated(learner)

    admin = browser.new_context(locale="fr-FR").new_page()
    log_in(admin, DEMO_ACCOUNTS["admin"])
    admin.goto(f"{live_server}/results/offerings/{offering_id}/sessions/1")
    admin.locator(f"input[name=grade-{registration_id}]").fill("15")
    admin.get_by_role("button", name=re.compile("Publier|Publish")).click()
    # the confirmation page; the demo's current exams are still to come: the extra box as well
    admin.get_by_label(re.compile("J’ai vérifié ces résultats")).check()
    admin.get_by_label(re.compile("L’examen n’a pas encore eu lieu")).check()
    admin.get_by_role("button", name=re.compile("^Publier$")).click()
    expect(admin.locator("main")).to_contain_text(re.compile("Publié|Published"))

    learner.reload()
    row = learner.locator("main tr", has_text=unit).first
    expect(row).to_contain_text("15,00 / 20")
    assert licence_validated(learner) == before + ects
