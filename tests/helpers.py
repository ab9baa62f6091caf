"""Helpers for tests that drive the app through its HTTP interface."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.extensions import db, limiter

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def make_user(
    app: Flask,
    email: str,
    roles: Iterable[Role],
    password: str = PASSWORD,
    name: str | None = None,
    locale: str = "fr",
) -> int:
    with app.app_context():
        user = services.create_user(
            email, name or email.split("@")[0].title(), list(roles), password=password, locale=locale
        )
        db.session.commit()
        return user.id


def login(client: FlaskClient, email: str, password: str = PASSWORD, follow: bool = False):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        follow_redirects=follow,
    )


def client_for(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    """A client logged in as ``email`` (the login must succeed)."""
    with app.app_context():
        limiter.reset()  # many logins from one address in a test: not an attack
    client = app.test_client()
    response = login(client, email, password)
    assert response.status_code == 302, response.text[:500]
    return client


def logout(client: FlaskClient):
    page = client.get("/")
    return client.post("/logout", data={"csrf_token": csrf_token(page.text)})


def get_user(app: Flask, email: str) -> User:
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.email == email))


def use_language(client: FlaskClient, locale: str = "en"):
    """Choose the interface language of an anonymous client (kept in its session across login)."""
    page = client.get("/login")
    return client.post("/language", data={"csrf_token": csrf_token(page.text), "locale": locale})


def session_cookie(client: FlaskClient, app: Flask) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def client_with_session(app: Flask, value: str) -> FlaskClient:
    """A fresh client presenting only the session cookie ``value`` (e.g. one captured earlier)."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block (to assert a page's count is constant)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def page_statements(app: Flask, client: FlaskClient, path: str) -> int:
    """How many SQL statements a GET of ``path`` runs, once the first GET has warmed up the session."""
    assert client.get(path).status_code == 200
    with count_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)
