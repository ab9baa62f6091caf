"""The navigation bar grouped by what people do: about six top-level entries per role, the rest in
disclosure menus (<details>, usable without JavaScript), every page still one click from a menu."""

from __future__ import annotations

import re

import pytest

from lms.core.navigation import ACCOUNT, NavGroup, NavItem, NavMenu, fold
from tests.e2e.support import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.helpers import client_for

STUDIES = NavGroup("studies", "Studies", order=10)
OTHER = NavGroup("other", "Other", order=50)


def test_fold_puts_grouped_items_in_menus_a_lone_item_alone_and_the_account_apart():
    home = NavItem("Home", "core.home", order=0)
    results = NavItem("Results", "results.mine", order=20, group=STUDIES)
    progress = NavItem("Progress", "progress_cockpit.dashboard", order=11, group=STUDIES)
    lone = NavItem("Lone", "reports.index", order=99, group=OTHER)
    notes = NavItem("Notes", "notifications.index", order=30)
    account = NavItem("Account", "accounts.change_password", order=900, group=ACCOUNT)
    bar = fold([account, notes, lone, results, home, progress])
    assert bar.entries == [home, NavMenu(STUDIES, [progress, results]), notes, lone]  # a lone item: its group's place
    assert bar.account == [account]


def nav_html(app, email: str) -> str:
    page = client_for(app, email, DEMO_PASSWORD).get("/")
    assert page.status_code == 200
    return page.text[page.text.index("<header>") : page.text.index("</header>")]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "role, menus, links",
    [
        ("learner", 3, ["/me/", "/timetable", "/me/plan", "/attendance/mine"]),
        ("tutor", 0, []),
        ("director", 1, ["/reports/", "/admin/intakes/"]),
        ("admin", 3, ["/admin/timetable/offerings", "/admin/accounts/", "/reports/", "/attendance/learners"]),
    ],
)
def test_each_role_sees_at_most_six_top_level_entries(demo_app, role, menus, links):
    nav = nav_html(demo_app, DEMO_ACCOUNTS[role])
    assert 3 <= nav.count('<li class="nav-item">') <= 6, nav
    assert nav.count('<details class="nav-menu') == menus
    for link in links:  # still there, inside a menu or not
        assert f'href="{link}' in nav, link
    for summary in re.findall(r"<summary[^>]*>(.*?)</summary>", nav, re.S):
        assert summary.strip()  # every menu is named


@pytest.mark.sqlite_only
def test_items_asked_of_the_plugins_once_per_request_and_again_for_another_user(demo_app):
    from flask_login import login_user

    from lms.accounts.models import User
    from lms.core.navigation import nav_items
    from lms.extensions import db
    from lms.plugins import hookimpl

    asked = []

    class Counter:
        @hookimpl
        def lms_nav_items(self, user):
            asked.append(user.email)
            return []

    demo_app.extensions["lms.plugins"].register(Counter())
    with demo_app.test_request_context():
        learner = db.session.scalar(db.select(User).where(User.email == DEMO_ACCOUNTS["learner"]))
        admin = db.session.scalar(db.select(User).where(User.email == DEMO_ACCOUNTS["admin"]))
        login_user(learner)
        first = nav_items()
        assert nav_items() == first and asked == [learner.email]
        first.clear()  # a caller changing its list changes nobody else's
        assert "accounts_admin.index" not in {item.endpoint for item in nav_items()}
        login_user(admin)
        assert "accounts_admin.index" in {item.endpoint for item in nav_items()}
        assert asked == [learner.email, admin.email]
