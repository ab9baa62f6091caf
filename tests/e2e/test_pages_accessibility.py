"""axe-core on the pages of each role that other browser tests do not visit: attendance (tutor),
attendance summary and cockpit (learner), timetable and account administration (admin), the
public pages (forgotten password, catalogue, open intakes). No serious or critical violation."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.support import DEMO_ACCOUNTS

BLOCKING_IMPACTS = ("serious", "critical")


def blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def audit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    return [f"{url}: {problem}" for problem in blocking(page)]


@pytest.mark.parametrize(
    "role, paths",
    [
        (
            "learner",
            [
                "/me/",
                "/me/programmes/LG02501A",
                "/me/timeline",
                "/me/credentials",
                "/me/what-if",
                "/me/plan",
                "/attendance/mine",
                "/timetable/list",
            ],
        ),
        (
            "admin",
            [
                "/admin/timetable/offerings",
                "/admin/timetable/centres",
                "/attendance/learners",
                "/admin/accounts/",
                "/admin/accounts/?q=dupont",
                "/admin/accounts/new",
                "/catalog/programmes/LG02501A",  # with its directors and the form to add one
                "/learners/100000W",
            ],
        ),
        (
            "director",
            [
                "/reports/",
                "/reports/intakes",
                "/reports/cohorts",
                "/reports/time-to-diploma",
                "/reports/dropouts",
                "/reports/validation",
            ],
        ),
    ],
)
def test_pages_have_no_serious_violation(page, live_server, log_in, role, paths):
    log_in(page, DEMO_ACCOUNTS[role])
    problems = [problem for path in paths for problem in audit(page, live_server + path)]
    assert problems == []


def test_account_page_has_no_serious_violation(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["admin"])
    page.goto(f"{live_server}/admin/accounts/")
    account = re.search(r'href="(/admin/accounts/\d+)"', page.content())
    assert account, "the list links to the accounts"
    assert audit(page, live_server + account[1]) == []


def test_public_pages_have_no_serious_violation(page, live_server):
    paths = ["/login", "/password/forgotten", "/signup", "/intakes", "/programmes/"]
    problems = [problem for path in paths for problem in audit(page, live_server + path)]
    programme = re.search(r'href="(/programmes/[A-Z0-9]+)"', page.content())
    assert programme, "the catalogue links to its programmes"
    problems += audit(page, live_server + programme[1])
    assert problems == []


def test_tutor_attendance_pages_have_no_serious_violation(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["tutor"])
    page.goto(f"{live_server}/results/offerings")
    offering = re.search(r'href="(/attendance/offerings/\d+)"', page.content())
    assert offering, "the tutor reaches attendance from their offerings"
    problems = audit(page, live_server + offering[1])
    meeting = re.search(r'href="(/attendance/meetings/\d+)"', page.content())
    assert meeting, "the offering lists its meetings"
    problems += audit(page, live_server + meeting[1])
    problems += audit(page, live_server + offering[1] + "/summary")
    assert problems == []


def test_cohort_histogram_has_no_serious_violation(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["director"])
    page.goto(f"{live_server}/reports/cohorts")
    programme = re.search(r'<option value="(\d+)"', page.content())
    assert programme, "the director chooses among their programmes"
    problems = audit(page, f"{live_server}/reports/cohorts?programme={programme[1]}")
    assert "<svg" in page.content()
    assert problems == []


def test_study_plan_and_what_if_pages_have_no_serious_violation(page, live_server, log_in):
    log_in(page, DEMO_ACCOUNTS["learner"])
    page.goto(f"{live_server}/me/plan")
    plan = re.search(r'href="(/me/plan/\d+)"', page.content())
    assert plan, "the learner plans one of their enrolments"
    problems = audit(page, live_server + plan[1])
    page.goto(f"{live_server}/me/what-if")
    choice = re.search(r'<option value="([^"]+)"', page.content())
    assert choice
    problems += audit(page, f"{live_server}/me/what-if?programme={choice[1]}")
    assert problems == []
