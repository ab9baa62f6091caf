"""Administrators' account pages: access, list and search, creation with a mailed link, roles,
deactivation (never deletion) and password links; every change in the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.accounts.queries import account_page
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db
from tests.helpers import PASSWORD, csrf_token, login, make_user
from tests.mailbox import link_in

sqlite_only = pytest.mark.sqlite_only
BASE = "/admin/accounts"


def admin_client(app):
    admin_id = make_user(app, "admin@example.org", [Role.ADMIN], name="Root Admin", locale="en")
    client = app.test_client()
    assert login(client, "admin@example.org").status_code == 302
    return client, admin_id


def post(client, page_url: str, url: str, data: dict | None = None):
    page = client.get(page_url)
    assert page.status_code == 200, page.text[:300]
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})})


def user_named(app, email: str) -> User:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def events(app, event: AuditEvent) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.event == event).order_by(AuditLog.id)))


# --- access --------------------------------------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize("role", [Role.LEARNER, Role.TUTOR, Role.DIRECTOR])
def test_only_administrators_open_the_account_pages(app, role):
    target = make_user(app, "someone@example.org", [Role.LEARNER])
    make_user(app, "other@example.org", [role])
    client = app.test_client()
    login(client, "other@example.org")
    for path in (f"{BASE}/", f"{BASE}/new", f"{BASE}/{target}"):
        assert client.get(path).status_code == 403
    token = csrf_token(client.get("/").text)
    assert client.post(f"{BASE}/{target}/active", data={"csrf_token": token}).status_code == 403
    assert user_named(app, "someone@example.org").active
    assert 'href="/admin/accounts/"' not in client.get("/").text


@sqlite_only
def test_administrators_find_the_pages_in_the_navigation(app):
    client, _ = admin_client(app)
    assert 'href="/admin/accounts/"' in client.get("/").text


# --- list and search -----------------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_finds_numbers_and_addresses(app):
    make_user(app, "helene@example.org", [Role.LEARNER], name="Hélène Dupré")
    make_user(app, "zoe@example.org", [Role.TUTOR], name="ZOË Martin")
    make_user(app, "bob@example.org", [Role.ADMIN], name="Bob Stone")
    with app.app_context():
        number = db.session.scalar(sa.select(User).where(User.email == "helene@example.org")).learner.learner_number

        def names(text="", role=None):
            return [line.user.name for line in account_page(text, role).rows]

        assert names("helene dupre") == ["Hélène Dupré"]
        assert names("DUPRÉ") == ["Hélène Dupré"]
        assert names("zoe") == ["ZOË Martin"]
        assert names(number.lower()) == ["Hélène Dupré"]
        assert names("bob@example") == ["Bob Stone"]
        assert names("martin", Role.LEARNER) == []
        assert names(role=Role.TUTOR) == ["ZOË Martin"]
        assert names("100%") == []  # a wildcard is a plain character
        assert len(names()) == 3


@sqlite_only
def test_the_list_is_paged_and_searched_from_the_page(app):
    client, _ = admin_client(app)
    for index in range(55):
        make_user(app, f"l{index:02d}@example.org", [Role.LEARNER], name=f"Learner {index:02d}", password=None)
    make_user(app, "helene@example.org", [Role.LEARNER], name="Hélène Dupré", password=None)
    first = client.get(f"{BASE}/")
    assert first.status_code == 200 and "57 accounts." in first.text and "Page 1 of 2" in first.text
    # By name: Hélène Dupré, then Learner 00 to 48 fill the first page.
    assert "Learner 48" in first.text and "Learner 49" not in first.text
    assert "Learner 49" in client.get(f"{BASE}/?page=2").text
    found = client.get(f"{BASE}/?q=helene")
    assert "1 account matches." in found.text and "Hélène Dupré" in found.text and "Learner 01" not in found.text
    assert client.get(f"{BASE}/?role=nonsense").status_code == 200  # a bad filter is ignored, not a 500


# --- creation ------------------------------------------------------------------------------------


def test_an_administrator_creates_an_account_and_the_person_chooses_a_password(app, mailbox):
    client, admin_id = admin_client(app)
    created = post(
        client,
        f"{BASE}/new",
        f"{BASE}/new",
        {"name": " Grace Hopper ", "email": "Grace@Example.org", "roles": ["tutor", "director"], "locale": "en"},
    )
    assert created.status_code == 303
    grace = user_named(app, "grace@example.org")
    assert grace.name == "Grace Hopper" and grace.roles == {Role.TUTOR, Role.DIRECTOR}
    assert grace.password_hash is None and grace.locale == "en"
    assert created.headers["Location"].endswith(f"{BASE}/{grace.id}")
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "grace@example.org" and mail["Subject"] == "Your lms account"
    (event,) = events(app, AuditEvent.USER_CREATED)[-1:]
    assert event.user_id == admin_id and event.details["user"] == grace.id
    # The person opens the link and chooses a password.
    person = app.test_client()
    page = person.get(link_in(mail))
    chosen = person.post(
        link_in(mail),
        data={"csrf_token": csrf_token(page.text), "new_password": "hopper's secret", "confirm": "hopper's secret"},
    )
    assert chosen.status_code == 302
    assert login(app.test_client(), "grace@example.org", "hopper's secret").status_code == 302


@sqlite_only
def test_creating_an_account_with_a_known_address_is_refused_on_the_field(app):
    client, _ = admin_client(app)
    refused = post(
        client, f"{BASE}/new", f"{BASE}/new", {"name": "Again", "email": "admin@example.org", "locale": "fr"}
    )
    assert refused.status_code == 422 and "already exists" in refused.text
    assert 'id="email-errors"' in refused.text
    empty = post(client, f"{BASE}/new", f"{BASE}/new", {"name": "", "email": "x", "locale": "fr"})
    assert empty.status_code == 422


# --- roles, deactivation, password links ---------------------------------------------------------


def test_roles_are_granted_and_removed_and_audited(app):
    client, admin_id = admin_client(app)
    target = make_user(app, "t@example.org", [Role.LEARNER])
    saved = post(client, f"{BASE}/{target}", f"{BASE}/{target}/roles", {"roles": ["learner", "tutor"]})
    assert saved.status_code == 303
    assert user_named(app, "t@example.org").roles == {Role.LEARNER, Role.TUTOR}
    post(client, f"{BASE}/{target}", f"{BASE}/{target}/roles", {"roles": ["tutor"]})
    with app.app_context():
        user = db.session.get(User, target)
        assert user.roles == {Role.TUTOR} and user.learner is not None  # the learner's records stay
    granted = [(row.user_id, row.details) for row in events(app, AuditEvent.ROLE_GRANTED)]
    assert (admin_id, {"user": target, "role": "tutor"}) in granted
    (revoked,) = events(app, AuditEvent.ROLE_REVOKED)
    assert revoked.user_id == admin_id and revoked.details == {"user": target, "role": "learner"}


def test_an_administrator_cannot_remove_their_own_admin_role_or_deactivate_themselves(app):
    client, admin_id = admin_client(app)
    refused = post(client, f"{BASE}/{admin_id}", f"{BASE}/{admin_id}/roles", {"roles": ["tutor"]})
    assert refused.status_code == 422 and "own administrator role" in refused.text
    assert 'id="roles-errors"' in refused.text
    assert user_named(app, "admin@example.org").roles == {Role.ADMIN}
    refused = post(client, f"{BASE}/{admin_id}", f"{BASE}/{admin_id}/active")
    assert refused.status_code == 422 and "cannot deactivate your own account" in refused.text
    assert user_named(app, "admin@example.org").active
    assert events(app, AuditEvent.USER_DEACTIVATED) == [] and events(app, AuditEvent.ROLE_REVOKED) == []


def test_a_deactivated_account_is_logged_out_at_once_and_cannot_log_in_until_reactivated(app):
    client, admin_id = admin_client(app)
    target = make_user(app, "leaving@example.org", [Role.LEARNER], locale="en")
    theirs = app.test_client()
    assert login(theirs, "leaving@example.org").status_code == 302
    assert post(client, f"{BASE}/{target}", f"{BASE}/{target}/active").status_code == 303
    assert not user_named(app, "leaving@example.org").active
    assert theirs.get("/").status_code == 302  # the open session has ended
    assert login(app.test_client(), "leaving@example.org").status_code == 200
    with app.app_context():
        assert db.session.get(User, target) is not None  # never deleted
    assert "Deactivated" in client.get(f"{BASE}/{target}").text
    assert post(client, f"{BASE}/{target}", f"{BASE}/{target}/active").status_code == 303
    assert login(app.test_client(), "leaving@example.org").status_code == 302
    (off,) = events(app, AuditEvent.USER_DEACTIVATED)
    (on,) = events(app, AuditEvent.USER_REACTIVATED)
    assert off.user_id == on.user_id == admin_id and off.details == on.details == {"user": target}


def test_an_administrator_sends_a_password_link(app, mailbox):
    client, admin_id = admin_client(app)
    target = make_user(app, "forgetful@example.org", [Role.LEARNER], locale="en")
    assert post(client, f"{BASE}/{target}", f"{BASE}/{target}/password-link").status_code == 303
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "forgetful@example.org"
    (sent,) = events(app, AuditEvent.PASSWORD_LINK_SENT)
    assert sent.user_id == admin_id and sent.details == {"user": target, "mail": "password_reset"}
    # The old password keeps working until the link is used.
    assert login(app.test_client(), "forgetful@example.org", PASSWORD).status_code == 302


def test_account_services_keep_their_rules(app):
    admin_id = make_user(app, "a@example.org", [Role.ADMIN])
    other_id = make_user(app, "b@example.org", [Role.ADMIN, Role.TUTOR])
    with app.app_context():
        admin, other = db.session.get(User, admin_id), db.session.get(User, other_id)
        with pytest.raises(services.AccountError):
            services.set_roles(admin, [Role.TUTOR], actor_id=admin_id)
        with pytest.raises(services.AccountError):
            services.revoke_role(admin, Role.ADMIN, actor_id=admin_id)
        with pytest.raises(services.AccountError):
            services.set_active(admin, False, actor_id=admin_id)
        services.set_roles(other, [Role.TUTOR], actor_id=admin_id)  # another administrator may
        services.set_active(other, False, actor_id=admin_id)
        db.session.commit()
        other = db.session.get(User, other_id)
        assert other.roles == {Role.TUTOR} and not other.active


@sqlite_only
def test_the_list_issues_the_same_statements_for_few_and_many_accounts(app):
    from tests.helpers import count_statements

    client, _ = admin_client(app)

    def statements() -> int:
        client.get(f"{BASE}/?q=learner")  # warm-up: session bookkeeping writes happen on first use
        with count_statements(app) as seen:
            assert client.get(f"{BASE}/?q=learner").status_code == 200
        return len(seen)

    make_user(app, "first@example.org", [Role.LEARNER], name="Learner first", password=None)
    few = statements()
    for index in range(30):
        make_user(app, f"m{index}@example.org", [Role.LEARNER, Role.TUTOR], name=f"Learner {index}", password=None)
    assert statements() == few
