"""One way to refuse: a refusal run through ``attempt`` undoes only its savepoint and lands on the
form; one that reaches the top answers its own status; the error page renders after any database
error (both engines)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask_wtf import FlaskForm
from wtforms import StringField

from lms.accounts.models import Role, User
from lms.core.access import public
from lms.core.errors import Refusal
from lms.core.models import AuditEvent, AuditLog
from lms.core.refusals import attempt
from lms.extensions import db
from lms.plugins import hookimpl
from tests.conftest import make_app
from tests.helpers import login, make_user

TAKEN = "taken@example.org"


class NameTaken(Refusal):
    status = 409
    field = "name"


class NotYours(Refusal):
    status = 403


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()


def _rename() -> None:
    user = db.session.scalar(sa.select(User).where(User.email == TAKEN))
    user.name = "Renamed"
    db.session.flush()


class Routes:
    """Routes that write, refuse or fail in the middle of a request."""

    @hookimpl
    def lms_load_blueprints(self, app):
        bp = Blueprint("refusals_under_test", __name__)

        @bp.route("/t/refused-on-form")
        @public
        def refused_on_form():
            form = NameForm()
            with attempt(form) as outcome:
                _rename()
                raise NameTaken("This name is taken.")
            return jsonify(status=outcome.status, errors=form.name.errors, form_errors=form.form_errors)

        @bp.route("/t/refused-after-work")
        @public
        def refused_after_work():
            _rename()  # the request's own work, before the attempt: it stays
            with attempt(flash="danger") as outcome:
                db.session.scalar(sa.select(User).where(User.email == TAKEN)).locale = "en"
                raise NameTaken("No.")
            return jsonify(refused=outcome.refused)

        @bp.route("/t/done-then-failed")
        @public
        def done_then_failed():
            with attempt():
                _rename()
            raise RuntimeError("after the savepoint")

        @bp.route("/t/not-yours")
        @public
        def not_yours():
            with attempt(NameForm()):
                raise NotYours("Not yours.")
            return "unreachable"

        @bp.route("/t/refused")
        @public
        def refused():
            raise NameTaken("This name is taken.")

        @bp.route("/api/v1/t/refused")
        @public
        def api_refused():
            raise NameTaken("This name is taken.")

        @bp.route("/t/database-error")
        @public
        def database_error():
            db.session.add(User(email=TAKEN, name="Twin", password_hash="x"))
            db.session.flush()  # UNIQUE violation: the session now needs a rollback
            return "unreachable"

        app.register_blueprint(bp)


@pytest.fixture
def routes_app(database_url):
    app = make_app(database_url, plugins=[Routes()])
    make_user(app, TAKEN, [Role.ADMIN], name="Taken")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _user(app) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == TAKEN))
        db.session.expunge(user)
        return user


def test_a_refusal_in_an_attempt_lands_on_its_field_and_keeps_nothing(routes_app):
    response = routes_app.test_client().get("/t/refused-on-form")
    assert response.json == {"status": 409, "errors": ["This name is taken."], "form_errors": []}
    assert _user(routes_app).name == "Taken"


def test_a_refusal_rolls_back_its_savepoint_only(routes_app):
    response = routes_app.test_client().get("/t/refused-after-work")
    assert response.status_code == 200 and response.json == {"refused": True}
    user = _user(routes_app)
    assert user.name == "Renamed" and user.locale == "fr"


def test_work_done_in_an_attempt_is_not_committed_before_the_request(routes_app):
    """A savepoint is never the outermost transaction (SQLite): a later error still undoes it."""
    response = routes_app.test_client().get("/t/done-then-failed")
    assert response.status_code == 500
    assert _user(routes_app).name == "Taken"


def test_a_refused_access_is_not_a_form_error_it_answers_403_and_leaves_a_trace(routes_app):
    response = routes_app.test_client().get("/t/not-yours")
    assert response.status_code == 403 and "Not yours." in response.text
    with routes_app.app_context():
        details = db.session.scalars(
            sa.select(AuditLog.details).where(AuditLog.event == AuditEvent.ACCESS_DENIED)
        ).all()
    assert [entry["refusal"] for entry in details] == ["NotYours"]


def test_a_refusal_outside_a_form_answers_its_status_and_message(routes_app):
    client = routes_app.test_client()
    page = client.get("/t/refused")
    assert page.status_code == 409 and page.mimetype == "text/html"
    assert "Conflit" in page.text and "This name is taken." in page.text and "Traceback" not in page.text
    api = client.get("/api/v1/t/refused")
    assert api.status_code == 409 and api.json["detail"] == "This name is taken."


def test_the_error_page_renders_after_a_database_error(routes_app, caplog):
    client = routes_app.test_client()
    assert login(client, TAKEN).status_code == 302
    with caplog.at_level(logging.ERROR):
        response = client.get("/t/database-error")
    assert response.status_code == 500
    body = response.text
    assert 'lang="fr"' in body and "Une erreur est survenue" in body
    assert "Taken" in body  # the whole page, navigation included, not the bare fallback
    assert "Traceback" not in body and "IntegrityError" not in body
    assert not any("could not be rendered" in record.getMessage() for record in caplog.records)
    # the database is usable again for the next request
    assert client.get("/").status_code == 200
