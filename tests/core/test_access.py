"""Object-level checks inside views: deny_unless refuses with 403 and leaves an audit row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint

from lms.accounts.models import Role
from lms.core.access import deny_unless, login_required
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db
from lms.plugins import hookimpl
from tests.conftest import make_app
from tests.helpers import login, make_user


class OwnRecordPlugin:
    """A page that shows record N only to the user whose id is N."""

    name = "own-record"

    @hookimpl
    def lms_load_blueprints(self, app):
        bp = Blueprint("own", __name__)

        @bp.route("/own/<int:user_id>")
        @login_required
        def record(user_id: int):
            from flask_login import current_user

            deny_unless(current_user.id == user_id)
            return f"record {user_id}"

        app.register_blueprint(bp)


@pytest.mark.sqlite_only
def test_deny_unless_refuses_other_peoples_records(database_url):
    app = make_app(database_url, plugins=[OwnRecordPlugin()])
    mine = make_user(app, "me@example.org", [Role.LEARNER])
    other = make_user(app, "other@example.org", [Role.LEARNER])
    client = app.test_client()
    login(client, "me@example.org")
    assert client.get(f"/own/{mine}").text == f"record {mine}"
    refused = client.get(f"/own/{other}")
    assert refused.status_code == 403
    with app.app_context():
        row = db.session.scalar(sa.select(AuditLog).where(AuditLog.event == AuditEvent.ACCESS_DENIED))
        assert row is not None and row.user_id == mine and row.details["object"] is True
        db.engine.dispose()
