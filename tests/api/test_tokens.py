"""API tokens: made on the account page (shown once, stored hashed), used as bearer tokens, their
scopes, expiry, revocation, CSRF only for cookie sessions, the audit log and the rate limit."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.api import services
from lms.api.models import ApiToken, Scope
from lms.core.models import AuditEvent, AuditLog
from lms.core.time import utcnow
from lms.extensions import db
from tests.helpers import client_for, csrf_token, make_user

SECRET_RE = re.compile(r'id="new-token" class="form-control font-monospace" readonly value="(lms_[^"]+)"')


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _make_token(app, email: str, scope: Scope = Scope.READ, days: int = 30) -> str:
    with app.app_context():
        from lms.accounts.models import User

        user = db.session.scalar(sa.select(User).where(User.email == email))
        _token, secret = services.create_personal_token(user, "script", scope, days)
        db.session.commit()
        return secret


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_hashed(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    browser = client_for(app, "ada@example.org")
    page = browser.get("/account/tokens/")
    assert page.status_code == 200
    made = browser.post(
        "/account/tokens/",
        data={"csrf_token": csrf_token(page.text), "name": "my spreadsheet", "scope": "read", "expires_in_days": "30"},
    )
    assert made.status_code == 201
    secret = SECRET_RE.search(made.text).group(1)
    assert browser.get("/account/tokens/").text.count(secret) == 0  # never shown again
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in token.prefix + token.secret_hash
        assert token.expires_at - utcnow() > timedelta(days=29)
    anonymous = app.test_client()
    answer = anonymous.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200
    assert answer.json["email"] == "ada@example.org"


def test_a_learner_cannot_give_a_token_the_admin_scope(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    browser = client_for(app, "ada@example.org")
    page = browser.get("/account/tokens/")
    made = browser.post(
        "/account/tokens/",
        data={"csrf_token": csrf_token(page.text), "name": "x", "scope": "admin", "expires_in_days": "30"},
    )
    assert made.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_unknown_revoked_and_expired_tokens_get_401_problem_details(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    secret = _make_token(app, "ada@example.org")
    client = app.test_client()
    for wrong in ("lms_nope", "nope", secret + "x"):
        answer = client.get("/api/v1/me", headers=bearer(wrong))
        assert answer.status_code == 401
        assert answer.mimetype == "application/problem+json"
        assert answer.json["status"] == 401 and answer.json["title"]
        assert "Bearer" in answer.headers["WWW-Authenticate"]
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        token.expires_at = utcnow() + timedelta(days=1)
        services.revoke_token(token, None)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_read_token_cannot_write_a_write_token_can_and_the_write_is_logged_with_its_name(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    reader = _make_token(app, "ada@example.org", Scope.READ)
    client = app.test_client()
    with app.app_context():
        reader_id = db.session.scalar(sa.select(ApiToken.id))
    refused = client.delete(f"/api/v1/tokens/{reader_id}", headers=bearer(reader))
    assert refused.status_code == 403
    assert "read" in refused.json["detail"]
    with app.app_context():
        from lms.accounts.models import User

        user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
        _token, writer = services.create_personal_token(user, "writer", Scope.WRITE, 30)
        db.session.commit()
    # No CSRF token needed with a bearer token.
    assert client.delete(f"/api/v1/tokens/{reader_id}", headers=bearer(writer)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(reader)).status_code == 401
    with app.app_context():
        writes = db.session.scalars(sa.select(AuditLog).where(AuditLog.event == AuditEvent.API_WRITE)).all()
        assert [(w.details["token"], w.details["status"]) for w in writes] == [("script", 403), ("writer", 204)]


def test_cookie_sessions_still_need_csrf_for_api_writes(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    _make_token(app, "ada@example.org")
    browser = client_for(app, "ada@example.org")
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    refused = browser.delete(f"/api/v1/tokens/{token_id}")
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    page = browser.get("/account/tokens/")
    done = browser.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRFToken": csrf_token(page.text)})
    assert done.status_code == 204


def test_someone_elses_token_is_404(app):
    make_user(app, "ada@example.org", [Role.LEARNER])
    make_user(app, "bob@example.org", [Role.LEARNER])
    _make_token(app, "ada@example.org")
    bobs = _make_token(app, "bob@example.org", Scope.WRITE)
    with app.app_context():
        adas = db.session.scalar(sa.select(ApiToken.id).order_by(ApiToken.id))
    assert app.test_client().delete(f"/api/v1/tokens/{adas}", headers=bearer(bobs)).status_code == 404


def test_service_tokens_from_the_command_line_print_the_token_last_and_need_the_admin_scope(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["tokens", "create", "--name", "SI scolarité", "--scope", "admin"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("lms_")
    reader = runner.invoke(args=["tokens", "create", "--name", "BI", "--scope", "read"])
    read_secret = reader.output.strip().splitlines()[-1]
    client = app.test_client()
    me = client.get("/api/v1/me", headers=bearer(secret)).json
    assert me["roles"] == ["admin"] and me["email"].endswith("@service.lms.invalid")
    listed = client.get("/api/v1/service-tokens", headers=bearer(secret))
    assert listed.status_code == 200
    assert sorted(t["name"] for t in listed.json["items"]) == ["BI", "SI scolarité"]
    assert secret not in listed.text
    assert client.get("/api/v1/service-tokens", headers=bearer(read_secret)).status_code == 403
    again = runner.invoke(args=["tokens", "create", "--name", "BI", "--scope", "read"])
    assert again.exit_code != 0 and "BI" in again.output
    assert runner.invoke(args=["tokens", "revoke", "BI"]).exit_code == 0
    assert client.get("/api/v1/me", headers=bearer(read_secret)).status_code == 401
    listing = runner.invoke(args=["tokens", "list"])
    assert "revoked" in listing.output and read_secret not in listing.output


def test_a_service_account_cannot_log_in_with_a_password(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["tokens", "create", "--name", "sync", "--scope", "read"])
    client = app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": "sync@service.lms.invalid", "password": ""},
    )
    assert answer.status_code != 302


def test_token_requests_are_rate_limited_per_token(app):
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ada@example.org", [Role.LEARNER])
    first = _make_token(app, "ada@example.org")
    with app.app_context():
        from lms.accounts.models import User

        user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
        _token, second = services.create_personal_token(user, "other", Scope.READ, 30)
        db.session.commit()
    client = app.test_client()
    codes = [client.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200  # its own counter
