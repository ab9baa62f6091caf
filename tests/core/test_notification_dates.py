"""Dates in notifications are written in each recipient's language: a message names its dates with
``lazy_date`` (or a meeting with ``describe``), formatted when the message is made for that user."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role, User
from lms.core.time import lazy_date
from lms.extensions import db
from lms.notifications.models import Notification
from lms.notifications.services import notify
from tests.helpers import make_user


@pytest.mark.sqlite_only
def test_each_recipient_reads_the_date_in_their_language(app):
    make_user(app, "fr@example.org", [Role.LEARNER])
    make_user(app, "en@example.org", [Role.LEARNER], locale="en")
    with app.test_request_context():
        users = list(db.session.scalars(sa.select(User).where(User.email.in_(["fr@example.org", "en@example.org"]))))
        notify(users, "test", _l("Jury of %(date)s", date=lazy_date(date(2026, 7, 1))), via=["in_app"])
        db.session.commit()
        query = sa.select(User.email, Notification.title).join(User, Notification.user_id == User.id)
        titles = {email: title for email, title in db.session.execute(query)}
    assert titles == {"fr@example.org": "Jury of 1 juillet 2026", "en@example.org": "Jury of July 1, 2026"}


@pytest.mark.sqlite_only
def test_a_meeting_is_described_in_the_readers_language(app):
    from flask_babel import force_locale

    from lms.timetable.services.meetings import meeting_moment

    with app.test_request_context():
        text = meeting_moment(date(2026, 10, 20), "18:00", "20:00", "Europe/Paris")
        with force_locale("fr"):
            assert str(text) == "mardi 20 octobre 2026, 18:00–20:00 (Europe/Paris)"
        with force_locale("en"):
            assert str(text) == "Tuesday, October 20, 2026, 18:00–20:00 (Europe/Paris)"
