"""Disabling an optional area (``LMS_DISABLED_PLUGINS``) leaves every remaining page working: with
each one disabled in turn, an administrator, a director and a learner open every GET route that
takes no parameter, and the pages that link across areas, without a server error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.extensions import db, limiter
from lms.plugins.manager import BUILTIN_PLUGINS, ESSENTIAL_AREAS, plugin_names
from lms.timetable.models import Offering
from tests.conftest import make_app
from tests.helpers import login

DEMO_PASSWORD = "demo-lms-2026"
PEOPLE = ("admin@example.org", "directeur@example.org", "apprenant@example.org", "enseignant@example.org")
OPTIONAL = sorted({module.split(".")[-2] for module in BUILTIN_PLUGINS if not plugin_names(module) & ESSENTIAL_AREAS})

sqlite_only = pytest.mark.sqlite_only


def get_routes(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def cross_area_pages(app) -> list[str]:
    """Pages with parameters that link to other areas: an offering, the first learner's record."""
    with app.app_context():
        offering_id = db.session.scalar(sa.select(Offering.id).order_by(Offering.id).limit(1))
    return [f"/offerings/{offering_id}", f"/tutor/offerings/{offering_id}", f"/admin/offerings/{offering_id}"]


def test_the_optional_areas_are_the_expected_ones():
    assert set(OPTIONAL) >= {
        "timetable",
        "results",
        "intakes",
        "awards",
        "reports",
        "notifications",
        "api",
        "importers",
    }
    assert not set(OPTIONAL) & ESSENTIAL_AREAS


@sqlite_only
@pytest.mark.parametrize("area", OPTIONAL)
def test_every_page_works_without_an_area(demo_app, area, monkeypatch):
    monkeypatch.delenv("LMS_DISABLED_PLUGINS", raising=False)
    app = make_app(demo_app.config["SQLALCHEMY_DATABASE_URI"], DISABLED_PLUGINS=(area,))
    with app.app_context():
        limiter.reset()
    failures = []
    try:
        paths = get_routes(app) + cross_area_pages(app)
        for email in PEOPLE:
            client = app.test_client()
            assert login(client, email, DEMO_PASSWORD).status_code == 302, email
            for path in paths:
                if path in ("/logout",):
                    continue
                try:
                    status = client.get(path).status_code
                except Exception as error:  # the testing app propagates exceptions (BuildError...)
                    failures.append(f"{email} GET {path}: {type(error).__name__}: {error}")
                    continue
                if status >= 500:
                    failures.append(f"{email} GET {path}: {status}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert not failures, "\n".join(failures)
