"""Forgotten password and one-time links: signed, expiring, single use, rate-limited, mailed after
the commit, and an answer that never says whether an address has an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import services, tokens
from lms.accounts.models import AuthSession, Role, User
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db
from tests.helpers import PASSWORD, csrf_token, login, make_user, use_language
from tests.mailbox import link_in

sqlite_only = pytest.mark.sqlite_only
NEW_PASSWORD = "a brand new secret"
CSRF_VALUE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"')


def ask_for_link(client, email: str, **kwargs):
    page = client.get("/password/forgotten")
    assert page.status_code == 200
    return client.post("/password/forgotten", data={"csrf_token": csrf_token(page.text), "email": email}, **kwargs)


def choose_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(link)
    assert page.status_code == 200, page.text[:300]
    return client.post(
        link,
        data={"csrf_token": csrf_token(page.text), "new_password": password, "confirm": confirm or password},
    )


def audit_events(app, event: AuditEvent) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.event == event)))


def same_page(first: str, second: str) -> bool:
    """Two answers are the same page once their (per-session) CSRF tokens are left out."""
    return CSRF_VALUE.sub(r"\1\"", first) == CSRF_VALUE.sub(r"\1\"", second)


def test_a_forgotten_password_is_reset_by_the_mailed_link_once(app, client, mailbox):
    user_id = make_user(app, "ada@example.org", [Role.LEARNER], locale="en")
    use_language(client, "en")
    answer = ask_for_link(client, "Ada@Example.org")
    assert answer.status_code == 200 and "Check your mail" in answer.text
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "ada@example.org" and "Choose a new password" in mail["Subject"]
    link = link_in(mail)

    chosen = choose_password(client, link)
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200  # logged in by the link
    # The link is dead once used; the new password works, the old one does not.
    assert client.get(link).status_code == 404
    other = app.test_client()
    assert login(other, "ada@example.org").status_code == 200
    assert login(other, "ada@example.org", NEW_PASSWORD).status_code == 302
    assert [row.details["user"] for row in audit_events(app, AuditEvent.PASSWORD_LINK_SENT)] == [user_id]
    (reset,) = audit_events(app, AuditEvent.PASSWORD_RESET)
    assert reset.user_id == user_id and reset.details == {"link": "reset"}


def test_the_answer_is_the_same_for_an_unknown_address_and_nothing_is_sent(app, client, mailbox):
    make_user(app, "known@example.org", [Role.LEARNER])
    use_language(client, "en")
    known = ask_for_link(client, "known@example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known.text, unknown.text)
    mailbox.wait(1)
    assert [mail["To"] for mail in mailbox.received] == ["known@example.org"]


def test_following_a_link_in_someone_elses_session_ends_that_session(app, mailbox):
    make_user(app, "owner@example.org", [Role.LEARNER])
    borrower_id = make_user(app, "borrower@example.org", [Role.LEARNER])
    shared = app.test_client()
    assert login(shared, "borrower@example.org").status_code == 302
    ask_for_link(app.test_client(), "owner@example.org")
    page = shared.get(link_in(mailbox.wait(1)[0]))
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token stays out of Referer headers
    assert choose_password(shared, link_in(mailbox.received[0])).status_code == 302
    assert shared.get("/api/v1/me").json["email"] == "owner@example.org"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuthSession.user_id == borrower_id)) == 0


def test_a_link_expires(app, client, mailbox):
    make_user(app, "late@example.org", [Role.LEARNER])
    ask_for_link(client, "late@example.org")
    link = link_in(mailbox.wait(1)[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)  # any age is too old now
    page = client.get(link)
    assert page.status_code == 404 and 'href="/password/forgotten"' in page.text


def test_a_link_dies_when_the_password_changes_another_way(app):
    make_user(app, "change@example.org", [Role.LEARNER])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "change@example.org"))
        token = tokens.make_token(user, tokens.LinkPurpose.RESET)
        assert tokens.user_for_token(token) == (user, tokens.LinkPurpose.RESET)
        services.change_password(user, PASSWORD, NEW_PASSWORD, keep_session_key=None)
        db.session.commit()
        assert tokens.user_for_token(token) is None


def test_a_tampered_or_foreign_token_opens_nothing(app):
    make_user(app, "t@example.org", [Role.LEARNER])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "t@example.org"))
        token = tokens.make_token(user, tokens.LinkPurpose.RESET)
        assert tokens.user_for_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
        assert tokens.user_for_token("not-a-token") is None
        app.config["SECRET_KEY"] = "another secret"
        assert tokens.user_for_token(token) is None


def test_a_deactivated_account_gets_no_link_and_its_links_die(app, client, mailbox):
    make_user(app, "gone@example.org", [Role.LEARNER])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "gone@example.org"))
        token = tokens.make_token(user, tokens.LinkPurpose.RESET)
        services.set_active(user, False)
        db.session.commit()
        assert tokens.user_for_token(token) is None
    assert ask_for_link(client, "gone@example.org").status_code == 200
    assert client.get(f"/password/reset/{token}").status_code == 404
    assert mailbox.received == []


def test_choosing_a_password_ends_every_other_session(app, client, mailbox):
    user_id = make_user(app, "two@example.org", [Role.LEARNER])
    elsewhere = app.test_client()
    assert login(elsewhere, "two@example.org").status_code == 302
    ask_for_link(client, "two@example.org")
    assert choose_password(client, link_in(mailbox.wait(1)[0])).status_code == 302
    assert elsewhere.get("/").status_code == 302  # back to the login page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuthSession.user_id == user_id)) == 1


@sqlite_only
def test_the_new_password_follows_the_rules_and_errors_are_tied_to_the_field(app, client, mailbox):
    make_user(app, "rules@example.org", [Role.LEARNER])
    use_language(client, "en")
    ask_for_link(client, "rules@example.org")
    link = link_in(mailbox.wait(1)[0])
    short = choose_password(client, link, "short")
    assert short.status_code == 422 and "too short" in short.text
    assert 'aria-describedby="new_password-help new_password-errors"' in short.text
    differ = choose_password(client, link, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    assert choose_password(client, link).status_code == 302  # still usable: nothing was set


@sqlite_only
def test_links_for_one_address_are_rate_limited_across_client_addresses(app, mailbox):
    make_user(app, "flood@example.org", [Role.LEARNER])
    answers = []
    for index in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{index + 1}"
        answers.append(ask_for_link(client, "flood@example.org").status_code)
    assert answers == [200, 200, 200, 429]
    # An unknown address is throttled the same way: the limit reveals nothing either.
    unknown = []
    for index in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{index + 1}"
        unknown.append(ask_for_link(client, "ghost@example.org").status_code)
    assert unknown == answers


@sqlite_only
def test_the_login_page_offers_the_forgotten_password_form(client):
    use_language(client, "en")
    page = client.get("/login")
    assert 'href="/password/forgotten"' in page.text and "Forgotten password?" in page.text
    form = client.get("/password/forgotten")
    assert '<label class="form-label" for="email">' in form.text
    refused = client.post("/password/forgotten", data={"csrf_token": csrf_token(form.text), "email": "not an address"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
