"""Moments are stored in UTC and shown in the reader's time zone (the institution's, configured by
BABEL_DEFAULT_TIMEZONE: Europe/Paris by default) and locale, through one Jinja filter, ``moment``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import User
from lms.core.plugin import format_moment
from lms.extensions import db
from lms.results.models import ResultHistory
from tests.conftest import make_app
from tests.helpers import client_for
from tests.results.world import build_world, results, save


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "locale, moment, shown",
    [
        ("fr", datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "01/07/2026 14:00"),  # summer time: UTC+2
        ("fr", datetime(2026, 1, 15, 23, 30), "16/01/2026 00:30"),  # naive from SQLite: UTC; winter: UTC+1
        ("en", datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "7/1/26, 2:00\u202fPM"),
    ],
)
def test_the_filter_shows_the_local_time_in_the_locale(app, locale, moment, shown):
    with app.test_request_context(), force_locale(locale):
        assert format_moment(moment) == shown
        assert format_moment(None) == "—"
        assert app.jinja_env.filters["moment"] is format_moment


def paris(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M")


def test_grade_history_shows_paris_time_not_utc(app):
    world = build_world(app)
    tutor = client_for(app, "tutor@example.org")
    save(tutor, world.offering, {world.registrations[0]: "12"})
    result = results(app, [world.registrations[0]])[world.registrations[0]]
    with app.app_context():
        changed_at = db.session.scalar(sa.select(ResultHistory.changed_at).where(ResultHistory.result_id == result.id))
    page = tutor.get(f"/results/{result.id}/history").text
    assert paris(changed_at) in page
    assert changed_at.strftime("%Y-%m-%d %H:%M") not in page and "UTC" not in page


@pytest.mark.sqlite_only
def test_account_page_shows_the_last_login_in_the_configured_time_zone(app, tmp_path):
    build_world(app)
    admin = client_for(app, "admin@example.org")
    with app.app_context():
        tutor = db.session.scalar(sa.select(User).where(User.email == "tutor@example.org"))
        tutor.last_login_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        db.session.commit()
        tutor_id = tutor.id
    assert "01/07/2026 14:00" in admin.get(f"/admin/accounts/{tutor_id}").text
    guiana = make_app(app.config["SQLALCHEMY_DATABASE_URI"], BABEL_DEFAULT_TIMEZONE="America/Cayenne")
    assert "01/07/2026 09:00" in client_for(guiana, "admin@example.org").get(f"/admin/accounts/{tutor_id}").text
