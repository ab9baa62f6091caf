"""Authentication and authorisation through the HTTP interface, on SQLite and PostgreSQL.

Messages are checked in English (users created with ``locale="en"``, anonymous clients switched
with :func:`use_language`), so that French translations do not change what the tests read.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, extract_parameters

from lms.accounts import services
from lms.accounts.models import AuthSession, Role, User
from lms.app import create_app
from lms.core.access import public
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db
from tests.conftest import make_app
from tests.helpers import (
    PASSWORD,
    client_with_session,
    csrf_token,
    get_user,
    login,
    logout,
    make_user,
    session_cookie,
    use_language,
)

DIRECTOR_PAGE = "/catalog/programmes"


def audit_rows(app, event: AuditEvent) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.event == event).order_by(AuditLog.id)))


def session_count(app, user_id: int | None = None) -> int:
    with app.app_context():
        query = sa.select(sa.func.count(AuthSession.id))
        if user_id is not None:
            query = query.where(AuthSession.user_id == user_id)
        return db.session.scalar(query)


def assert_friendly_page(response, code: int, title: str) -> None:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    body = response.text
    assert title in body
    assert f"({code})" in body
    assert "Traceback" not in body
    assert 'File "' not in body


def assert_sent_to_login(response, next_path: str | None = None) -> None:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    if next_path is not None:
        assert parse_qs(location.query)["next"] == [next_path]


def post_login(client, email: str, password: str, token: str, address: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.LEARNER, False), (Role.TUTOR, False), (Role.DIRECTOR, True), (Role.ADMIN, True)],
)
def test_role_matrix_on_a_director_page(app, client, role, allowed):
    make_user(app, "someone@example.org", [role], locale="en")
    login(client, "someone@example.org")
    response = client.get(DIRECTOR_PAGE)
    if allowed:
        assert response.status_code == 200
    else:
        assert_friendly_page(response, 403, "Access denied")
        assert "You do not have permission to open this page." in response.text
    # Every role may open its home page and its own API record.
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").json["roles"] == [role.value]


def test_refused_access_is_audited(app, client):
    user_id = make_user(app, "learner@example.org", [Role.LEARNER])
    login(client, "learner@example.org")
    assert client.get(DIRECTOR_PAGE).status_code == 403

    (row,) = audit_rows(app, AuditEvent.ACCESS_DENIED)
    assert row.user_id == user_id
    assert row.path == DIRECTOR_PAGE
    assert row.details["endpoint"] == "catalog.programmes"
    assert row.ip_address == "127.0.0.1"


def test_allowed_access_is_not_audited_as_refused(app, client):
    make_user(app, "director@example.org", [Role.DIRECTOR])
    login(client, "director@example.org")
    assert client.get(DIRECTOR_PAGE).status_code == 200
    assert audit_rows(app, AuditEvent.ACCESS_DENIED) == []


@pytest.mark.sqlite_only
def test_anonymous_is_sent_to_login_with_next_and_comes_back(app, client):
    make_user(app, "director@example.org", [Role.DIRECTOR])
    response = client.get(DIRECTOR_PAGE)
    assert_sent_to_login(response, next_path=DIRECTOR_PAGE)

    page = client.get(response.headers["Location"])
    assert f'value="{DIRECTOR_PAGE}"' in page.text  # the login form carries next
    answer = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.text),
            "email": "director@example.org",
            "password": PASSWORD,
            "next": DIRECTOR_PAGE,
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == DIRECTOR_PAGE


@pytest.mark.sqlite_only
def test_anonymous_api_request_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and response.json["title"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.sqlite_only
def test_api_me_answers_the_logged_in_user(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN], name="Ada Lovelace")
    login(client, "ada@example.org")
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json["email"] == "ada@example.org"
    assert response.json["name"] == "Ada Lovelace"


# --- login -------------------------------------------------------------------------------------


def test_successful_login_opens_a_session_and_is_audited(app, client):
    user_id = make_user(app, "ada@example.org", [Role.ADMIN])
    response = login(client, "ADA@Example.org")  # case does not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert session_count(app, user_id) == 1
    assert [row.user_id for row in audit_rows(app, AuditEvent.LOGIN)] == [user_id]
    assert client.get("/").status_code == 200


def test_wrong_password_shows_an_error_opens_no_session_and_is_audited(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    use_language(client, "en")
    response = login(client, "ada@example.org", "not the password")
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.text
    assert "Traceback" not in response.text
    assert session_count(app) == 0
    assert_sent_to_login(client.get("/"))

    (row,) = audit_rows(app, AuditEvent.LOGIN_FAILED)
    assert row.user_id is None
    assert row.details == {"email": "ada@example.org"}
    assert audit_rows(app, AuditEvent.LOGIN) == []


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(app, client):
    use_language(client, "en")
    response = login(client, "nobody@example.org", "whatever password")
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.text
    assert [row.details["email"] for row in audit_rows(app, AuditEvent.LOGIN_FAILED)] == ["nobody@example.org"]


@pytest.mark.sqlite_only
def test_disabled_account_cannot_log_in(app, client):
    make_user(app, "gone@example.org", [Role.TUTOR])
    with app.app_context():
        db.session.execute(sa.update(User).values(active=False))
        db.session.commit()
    response = login(client, "gone@example.org")
    assert response.status_code == 200
    assert session_count(app) == 0


@pytest.mark.sqlite_only
def test_login_without_csrf_token_is_refused(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    response = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert session_count(app) == 0


# --- throttling --------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_sixth_login_attempt_from_one_address_is_throttled(app, client):
    use_language(client, "en")
    token = csrf_token(client.get("/login").text)
    # Different accounts each time: only the per-address limit can trigger.
    for attempt in range(5):
        response = post_login(client, f"user{attempt}@example.org", "wrong password", token, "10.0.0.1")
        assert response.status_code == 200, attempt
    response = post_login(client, "user5@example.org", "wrong password", token, "10.0.0.1")
    assert_friendly_page(response, 429, "Too many attempts")
    assert "Please wait a minute" in response.text

    (row,) = audit_rows(app, AuditEvent.LOGIN_THROTTLED)
    assert row.ip_address == "10.0.0.1"
    assert row.path == "/login"
    # Another address is not affected.
    assert post_login(client, "user6@example.org", "wrong password", token, "10.0.0.2").status_code == 200


@pytest.mark.sqlite_only
def test_login_attempts_on_one_account_are_throttled_across_addresses(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    token = csrf_token(client.get("/login").text)
    for attempt in range(5):
        response = post_login(client, "ada@example.org", "wrong password", token, f"10.0.1.{attempt}")
        assert response.status_code == 200, attempt
    # Even the right password from a fresh address is refused now.
    response = post_login(client, "Ada@Example.org", PASSWORD, token, "10.0.1.99")
    assert response.status_code == 429
    assert session_count(app) == 0
    assert len(audit_rows(app, AuditEvent.LOGIN_THROTTLED)) == 1
    # Another account from that fresh address is not affected.
    assert post_login(client, "bob@example.org", "wrong password", token, "10.0.1.99").status_code == 200


@pytest.mark.sqlite_only
def test_viewing_the_login_page_is_not_throttled(client):
    for _ in range(8):
        assert client.get("/login").status_code == 200


# --- sessions ----------------------------------------------------------------------------------


def test_session_is_renewed_at_login(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    client.get("/login")
    before = session_cookie(client, app)
    assert before  # the CSRF token lives in the session
    assert login(client, "ada@example.org").status_code == 302
    after = session_cookie(client, app)
    assert after and after != before

    assert_sent_to_login(client_with_session(app, before).get("/"))
    assert client_with_session(app, after).get("/").status_code == 200


def test_logout_invalidates_the_captured_session_cookie(app, client):
    user_id = make_user(app, "ada@example.org", [Role.ADMIN])
    login(client, "ada@example.org")
    captured = session_cookie(client, app)
    assert client_with_session(app, captured).get("/").status_code == 200  # the cookie alone is enough...

    response = logout(client)
    assert_sent_to_login(response)
    assert session_count(app, user_id) == 0
    assert [row.user_id for row in audit_rows(app, AuditEvent.LOGOUT)] == [user_id]

    assert_sent_to_login(client_with_session(app, captured).get("/"))  # ...until logout
    assert client_with_session(app, captured).get("/api/v1/me").status_code == 401
    assert_sent_to_login(client.get("/"))


def test_logout_ends_only_its_own_session(app):
    make_user(app, "ada@example.org", [Role.ADMIN])
    first, second = app.test_client(), app.test_client()
    login(first, "ada@example.org")
    login(second, "ada@example.org")
    logout(first)
    assert_sent_to_login(first.get("/"))
    assert second.get("/").status_code == 200


def test_deleting_the_session_row_ends_the_session(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    login(client, "ada@example.org")
    with app.app_context():
        db.session.execute(sa.delete(AuthSession))
        db.session.commit()
    assert_sent_to_login(client.get("/"))


# --- password change ---------------------------------------------------------------------------


def change_password(client, current: str, new: str, confirm: str | None = None):
    page = client.get("/account/password")
    assert page.status_code == 200
    assert 'name="current_password"' in page.text
    return client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page.text),
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


@pytest.mark.sqlite_only
def test_password_change_with_wrong_current_password_is_refused(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN], locale="en")
    before = get_user(app, "ada@example.org").password_hash
    login(client, "ada@example.org")
    response = change_password(client, "not my password", "a brand new password")
    assert response.status_code == 200
    assert "The current password is wrong." in response.text
    assert get_user(app, "ada@example.org").password_hash == before
    assert audit_rows(app, AuditEvent.PASSWORD_CHANGED) == []


@pytest.mark.sqlite_only
def test_too_short_new_password_is_refused(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN], locale="en")
    before = get_user(app, "ada@example.org").password_hash
    login(client, "ada@example.org")
    response = change_password(client, PASSWORD, "short")
    assert response.status_code == 200
    assert "The password is too short: at least 10 characters." in response.text
    assert get_user(app, "ada@example.org").password_hash == before


@pytest.mark.sqlite_only
def test_mismatched_confirmation_is_refused(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN], locale="en")
    login(client, "ada@example.org")
    response = change_password(client, PASSWORD, "a brand new password", confirm="something else entirely")
    assert response.status_code == 200
    assert "The two passwords differ." in response.text


def test_password_change_closes_the_other_sessions_and_keeps_this_one(app):
    user_id = make_user(app, "ada@example.org", [Role.ADMIN], locale="en")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "ada@example.org")
    login(elsewhere, "ada@example.org")
    assert elsewhere.get("/").status_code == 200
    assert session_count(app, user_id) == 2

    response = change_password(here, PASSWORD, "a brand new password")
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert_sent_to_login(elsewhere.get("/"))
    assert session_count(app, user_id) == 1
    assert [row.user_id for row in audit_rows(app, AuditEvent.PASSWORD_CHANGED)] == [user_id]

    fresh = app.test_client()
    assert login(fresh, "ada@example.org", PASSWORD).status_code == 200  # old password no longer works
    assert login(fresh, "ada@example.org", "a brand new password").status_code == 302


@pytest.mark.sqlite_only
def test_password_change_page_requires_login(client):
    assert_sent_to_login(client.get("/account/password"), next_path="/account/password")


# --- password hashes ---------------------------------------------------------------------------


def test_hash_made_with_other_parameters_is_replaced_at_login(app, client):
    old_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(PASSWORD)
    with app.app_context():
        services.create_user("ada@example.org", "Ada", [Role.ADMIN], password_hash=old_hash)
        db.session.commit()

    assert login(client, "ada@example.org").status_code == 302
    new_hash = get_user(app, "ada@example.org").password_hash
    assert new_hash != old_hash
    parameters = extract_parameters(new_hash)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config["ARGON2_PARALLELISM"],
    )
    assert new_hash.startswith("$argon2id$")

    # The new hash still accepts the password, and is left alone at the next login.
    logout(client)
    assert login(client, "ada@example.org").status_code == 302
    assert get_user(app, "ada@example.org").password_hash == new_hash


@pytest.mark.sqlite_only
def test_hash_with_current_parameters_is_kept_at_login(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    before = get_user(app, "ada@example.org").password_hash
    login(client, "ada@example.org")
    assert get_user(app, "ada@example.org").password_hash == before


@pytest.mark.sqlite_only
def test_failed_login_does_not_rehash(app, client):
    old_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(PASSWORD)
    with app.app_context():
        services.create_user("ada@example.org", "Ada", [Role.ADMIN], password_hash=old_hash)
        db.session.commit()
    login(client, "ada@example.org", "wrong password")
    assert get_user(app, "ada@example.org").password_hash == old_hash


# --- redirects after login ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/catalog/programmes",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
@pytest.mark.sqlite_only  # pure URL logic: one engine is enough
def test_next_cannot_redirect_off_site(app, client, target):
    make_user(app, "ada@example.org", [Role.ADMIN])
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": "ada@example.org", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.sqlite_only
def test_language_switch_cannot_redirect_off_site(client):
    page = client.get("/login")
    response = client.post(
        "/language", data={"csrf_token": csrf_token(page.text), "locale": "en", "next": "//evil.example"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- cookies and configuration -----------------------------------------------------------------


def session_set_cookie(response, app) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


@pytest.mark.sqlite_only
def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    response = login(client, "ada@example.org")
    attributes = [part.strip().lower() for part in session_set_cookie(response, app).split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes  # the test configuration runs over plain HTTP


@pytest.mark.sqlite_only
def test_production_config_sets_secure_cookies(database_url, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    app = create_app("production", overrides={"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.testing

    response = app.test_client().get("/login", base_url="https://localhost")
    attributes = [part.strip().lower() for part in session_set_cookie(response, app).split(";")]
    assert "secure" in attributes
    assert "httponly" in attributes
    with app.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_production_refuses_to_start_without_a_secret_key(database_url, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", overrides={"SQLALCHEMY_DATABASE_URI": database_url})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", overrides={"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": ""})


# --- headers and error pages -------------------------------------------------------------------


def assert_security_headers(response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy")
    assert headers.get("X-Frame-Options") == "DENY"


@pytest.mark.sqlite_only
def test_security_headers_on_pages(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    anonymous = client.get("/login")
    assert_security_headers(anonymous)
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert_security_headers(client.get("/nowhere"))
    assert_security_headers(client.get("/healthz"))
    assert_security_headers(client.get("/api/v1/me"))
    login(client, "ada@example.org")
    home = client.get("/")
    assert_security_headers(home)
    assert home.headers["Cache-Control"] == "no-store"


SECRET_DETAIL = "kaboom-7f3e: connection string postgres://admin:hunter2@db"


class Exploding:
    """A plugin adding routes that fail, to see what users get."""

    name = "exploding"

    from lms.plugins import hookimpl

    @hookimpl
    def lms_load_blueprints(self, app):
        from flask import Blueprint

        bp = Blueprint("exploding", __name__)

        @bp.route("/boom")
        @public
        def boom():
            raise RuntimeError(SECRET_DETAIL)

        @bp.route("/api/v1/boom")
        @public
        def api_boom():
            raise KeyError(SECRET_DETAIL)

        app.register_blueprint(bp)


@pytest.fixture
def exploding_app(database_url):
    app = make_app(database_url, plugins=[Exploding()])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_unexpected_error_shows_a_friendly_page_without_details(exploding_app, caplog):
    client = exploding_app.test_client()
    use_language(client, "en")
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert_friendly_page(response, 500, "Something went wrong")
    assert "RuntimeError" not in response.text
    assert "kaboom" not in response.text
    assert "hunter2" not in response.text
    assert_security_headers(response)
    # ...but the details are in the log for the operators.
    assert any(record.exc_info and SECRET_DETAIL in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.sqlite_only
def test_unexpected_api_error_answers_json_without_details(exploding_app):
    response = exploding_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.is_json
    assert "kaboom" not in response.text
    assert "KeyError" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.sqlite_only
def test_error_on_the_app_fixture_via_add_url_rule(app, client):
    def fails():
        return 1 / 0

    app.add_url_rule("/divide", "divide", public(fails))
    use_language(client, "en")
    response = client.get("/divide")
    assert_friendly_page(response, 500, "Something went wrong")
    assert "ZeroDivisionError" not in response.text
    assert "division by zero" not in response.text


@pytest.mark.sqlite_only
def test_unknown_url_gets_a_friendly_404(client):
    use_language(client, "en")
    response = client.get("/no/such/page")
    assert_friendly_page(response, 404, "Page not found")


@pytest.mark.sqlite_only
def test_unknown_api_url_gets_json_404(client):
    use_language(client, "en")
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["title"] == "Page not found"


@pytest.mark.sqlite_only
def test_wrong_method_gets_a_friendly_405(client):
    use_language(client, "en")
    response = client.get("/logout")
    assert_friendly_page(response, 405, "Method not allowed")


# --- language and health -----------------------------------------------------------------------


def html_lang(response) -> str:
    start = response.text.index("<html lang=")
    return response.text[start:].split('"')[1]


@pytest.mark.sqlite_only
def test_language_switch_changes_the_page_language(client):
    page = client.get("/login")
    assert html_lang(page) == "fr"
    response = client.post("/language", data={"csrf_token": csrf_token(page.text), "locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert html_lang(client.get("/login")) == "en"


def test_language_choice_is_kept_for_a_logged_in_user(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    login(client, "ada@example.org")
    home = client.get("/")
    assert html_lang(home) == "fr"
    client.post("/language", data={"csrf_token": csrf_token(home.text), "locale": "en"})
    assert html_lang(client.get("/")) == "en"
    assert get_user(app, "ada@example.org").locale == "en"

    other = app.test_client()
    login(other, "ada@example.org")
    assert html_lang(other.get("/")) == "en"


@pytest.mark.sqlite_only
def test_unknown_language_is_ignored(client):
    page = client.get("/login")
    client.post("/language", data={"csrf_token": csrf_token(page.text), "locale": "xx"})
    assert html_lang(client.get("/login")) == "fr"


@pytest.mark.sqlite_only
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


# --- command line ------------------------------------------------------------------------------


def cli_create(app, *extra: str, email: str = "Root@Example.org", password: str = "a long admin password"):
    runner = app.test_cli_runner()
    return runner.invoke(
        args=["users", "create", "--email", email, "--name", "Root Admin", "--password", password, *extra]
    )


@pytest.mark.sqlite_only
def test_cli_creates_a_user_with_a_role(app):
    result = cli_create(app, "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "root@example.org" in result.output
    user = get_user(app, "root@example.org")
    with app.app_context():
        user = db.session.merge(user)
        assert user.roles == {Role.ADMIN}
        assert user.name == "Root Admin"
    # The new account can log in.
    assert login(app.test_client(), "root@example.org", "a long admin password").status_code == 302


@pytest.mark.sqlite_only
def test_cli_grants_several_roles(app):
    result = cli_create(app, "--role", "director", "--role", "tutor")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
        assert user.roles == {Role.DIRECTOR, Role.TUTOR}


@pytest.mark.sqlite_only
def test_cli_refuses_a_duplicate_email(app):
    assert cli_create(app, "--role", "admin").exit_code == 0
    result = cli_create(app, "--role", "tutor", email="root@example.org")
    assert result.exit_code != 0
    # A one-line message naming the address (in the default language), no traceback.
    assert result.output.startswith("Error: ")
    assert "root@example.org" in result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


@pytest.mark.sqlite_only
def test_cli_refuses_a_short_password(app):
    result = cli_create(app, "--role", "admin", password="short")
    assert result.exit_code != 0
    assert result.output.startswith("Error: ")
    assert "10" in result.output  # the minimum length, in any language
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.sqlite_only
def test_cli_refuses_an_unknown_role(app):
    result = cli_create(app, "--role", "superuser")
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
