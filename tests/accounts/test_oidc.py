"""Single sign-on through OpenID Connect, against a real provider on loopback
(tests/fixtures/oidc_provider.py: Authlib's server components, its own signing key).

Account writes (creation, linking, roles) run on both engines; the refusals only read pages and
the audit trail, on SQLite. Messages are read in English (:func:`use_language`) unless the test is
about the French page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
from joserfc.jwk import RSAKey

from lms.accounts import sso, tokens
from lms.accounts.models import AuthSession, ExternalIdentity, Learner, Role, User
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db, limiter
from tests.conftest import make_app
from tests.helpers import PASSWORD, csrf_token, login, make_user, use_language

EMAIL = "claire.martin@univ.example"


@pytest.fixture
def sso_app(templates, backend, tmp_path, oidc_provider):
    """``sso_app(**settings)``: an app on a fresh database, configured for the test provider."""
    made = []

    def build(**extra):
        url = templates.copy(backend, "migrated", tmp_path)
        app = make_app(url, **oidc_provider.settings(**extra))
        with app.app_context():
            limiter.reset()
        made.append((app, url))
        return app

    yield build
    for app, url in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        templates.release(backend, url)


def sso_login(client, path: str = "/login/sso"):
    """Follow the flow as a browser would: lms → the provider (which approves) → lms's callback.
    Returns the callback's response; ``response.callback`` is the URL that was used."""
    start = client.get(path)
    assert start.status_code == 302, start.text[:500]
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text[:500]
    back = urlsplit(at_provider.headers["Location"])
    callback = f"{back.path}?{back.query}"
    response = client.get(callback)
    response.callback = callback
    return response


def english_client(app):
    client = app.test_client()
    use_language(client, "en")
    return client


def rows(app, model, *where) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(model).where(*where).order_by(model.id)))


def failures(app) -> list[dict]:
    return [row.details for row in rows(app, AuditLog, AuditLog.event == AuditEvent.LOGIN_FAILED)]


def user_roles(app, email: str) -> set[str]:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return {role.value for role in user.roles}


# --- success: created, linked by subject, same session as a password login ---------------------


def test_first_login_creates_the_account_with_mapped_roles_and_a_session(sso_app, oidc_provider):
    app = sso_app()
    client = app.test_client()
    response = sso_login(client, "/login/sso?next=/account/password")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    [user] = rows(app, User)
    assert (user.email, user.name) == (EMAIL, "Claire Martin")
    assert user_roles(app, EMAIL) == {"learner"}
    assert len(rows(app, Learner, Learner.user_id == user.id)) == 1
    [identity] = rows(app, ExternalIdentity)
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, oidc_provider.issuer, "u-1001")
    assert len(rows(app, AuthSession, AuthSession.user_id == user.id)) == 1  # the server-side session
    [event] = rows(app, AuditLog, AuditLog.event == AuditEvent.LOGIN)
    assert event.user_id == user.id
    assert event.details == {"method": "oidc", "issuer": oidc_provider.issuer, "created": True, "linked": True}
    assert client.get("/account/password").status_code == 200  # logged in


@pytest.mark.sqlite_only
def test_the_request_carries_pkce_state_and_nonce(sso_app, oidc_provider):
    start = sso_app().test_client().get("/login/sso")
    location = urlsplit(start.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc_provider.issuer}/authorize"
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://localhost/login/sso/callback"]


@pytest.mark.sqlite_only
def test_a_deactivated_account_is_refused_and_a_login_in_between_ends_the_flow(sso_app):
    app = sso_app()
    other_id = make_user(app, "other@univ.example", [Role.TUTOR])
    client = english_client(app)
    start = client.get("/login/sso")  # Claire starts in one tab, "other" logs in in another
    assert login(client, "other@univ.example").status_code == 302
    assert client.get("/login/sso").headers["Location"] == "/"  # logged in: no new flow
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 400  # a login renews the session
    assert len(rows(app, AuthSession, AuthSession.user_id == other_id)) == 1
    assert sso_login(english_client(app)).status_code == 302

    with app.app_context():
        claire = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        claire.active = False
        db.session.commit()
    refused = sso_login(english_client(app))
    assert refused.status_code == 403
    assert "This account is deactivated." in refused.text


def test_second_login_finds_the_account_by_subject_though_the_email_changed(sso_app, oidc_provider):
    app = sso_app()
    assert sso_login(app.test_client()).status_code == 302
    oidc_provider.person.claims["email"] = "c.martin@new.example"

    assert sso_login(app.test_client()).status_code == 302

    [user] = rows(app, User)
    assert user.email == EMAIL
    [identity] = rows(app, ExternalIdentity)
    assert identity.email == "c.martin@new.example"  # what the provider said last
    assert [row.user_id for row in rows(app, AuditLog, AuditLog.event == AuditEvent.LOGIN)] == [user.id, user.id]


def test_an_existing_account_is_linked_by_verified_email_only_when_configured(sso_app, oidc_provider):
    app = sso_app(OIDC_LINK_BY_EMAIL=True)
    tutor_id = make_user(app, EMAIL, [Role.TUTOR])

    oidc_provider.person.claims["email_verified"] = False
    refused = sso_login(english_client(app))
    assert refused.status_code == 403
    assert "exists but is not linked" in refused.text

    oidc_provider.person.claims["email_verified"] = True
    assert sso_login(app.test_client()).status_code == 302
    [identity] = rows(app, ExternalIdentity)
    assert identity.user_id == tutor_id
    assert user_roles(app, EMAIL) == {"tutor", "learner"}  # the mapped role is added
    assert len(rows(app, User)) == 1


@pytest.mark.sqlite_only
def test_an_existing_account_is_not_linked_by_email_by_default(sso_app):
    app = sso_app()
    make_user(app, EMAIL, [Role.TUTOR])
    response = sso_login(english_client(app))
    assert response.status_code == 403
    assert "exists but is not linked to Université Exemple" in response.text
    assert rows(app, ExternalIdentity) == []
    assert failures(app)[-1] == {"method": "oidc", "reason": "email_not_linked"}


@pytest.mark.sqlite_only
def test_without_account_creation_an_unknown_person_is_refused(sso_app):
    app = sso_app(OIDC_CREATE_ACCOUNTS=False)
    response = sso_login(english_client(app))
    assert response.status_code == 403
    assert "No account is linked to your Université Exemple identity" in response.text
    assert rows(app, User) == []


def test_roles_are_mapped_from_the_claim_and_added_at_later_logins(sso_app, oidc_provider):
    app = sso_app(OIDC_ROLE_MAP="student=learner,faculty=tutor+director,staff=admin")
    oidc_provider.person.claims["eduPersonAffiliation"] = ["faculty", "member"]
    assert sso_login(app.test_client()).status_code == 302
    assert user_roles(app, EMAIL) == {"tutor", "director"}

    oidc_provider.person.claims["eduPersonAffiliation"] = "staff"  # a single value, not a list
    assert sso_login(app.test_client()).status_code == 302
    assert user_roles(app, EMAIL) == {"tutor", "director", "admin"}  # granted; none taken away
    granted = rows(app, AuditLog, AuditLog.event == AuditEvent.ROLE_GRANTED)
    assert [row.details["role"] for row in granted] == ["admin"]


@pytest.mark.sqlite_only
def test_claims_missing_from_the_id_token_are_read_from_userinfo(sso_app, oidc_provider):
    app = sso_app()
    oidc_provider.misbehave = {"thin_id_token"}
    assert sso_login(app.test_client()).status_code == 302
    assert user_roles(app, EMAIL) == {"learner"}
    assert oidc_provider.hits["/userinfo"] == 1


@pytest.mark.sqlite_only
def test_the_provider_documents_are_cached_and_keys_fetched_again_when_rotated(sso_app, oidc_provider):
    app = sso_app()
    for _ in range(2):
        assert sso_login(app.test_client()).status_code == 302
    assert oidc_provider.hits["/.well-known/openid-configuration"] == 1
    assert oidc_provider.hits["/jwks"] == 1

    oidc_provider.key = RSAKey.generate_key(2048, parameters={"kid": "rotated"}, private=True)
    assert sso_login(app.test_client()).status_code == 302
    assert oidc_provider.hits["/jwks"] == 2


# --- refusals: never a 5xx, a clear page, the reason in the log and the audit trail ------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [("bad_signature", "signature"), ("wrong_audience", "audience"), ("expired", "expired"), ("wrong_nonce", "nonce")],
)
def test_an_id_token_that_fails_a_check_is_refused(sso_app, oidc_provider, caplog, misbehaviour, reason):
    app = sso_app()
    oidc_provider.misbehave = {misbehaviour}
    response = sso_login(english_client(app))

    assert response.status_code == 400
    assert "could not be verified, so you are not logged in" in response.text
    assert "Traceback" not in response.text
    assert rows(app, User) == [] and rows(app, AuthSession) == []
    assert failures(app) == [{"method": "oidc", "reason": reason}]
    assert f"single sign-on refused ({reason})" in caplog.text


@pytest.mark.sqlite_only
def test_a_replayed_or_unknown_state_is_refused(sso_app):
    app = sso_app()
    client = english_client(app)
    first = sso_login(client)
    assert first.status_code == 302

    other = english_client(app)  # the same answer again, in another browser and in the same one
    for replaying in (other, client):
        replayed = replaying.get(first.callback)
        assert replayed.status_code == 400
        assert "has expired or has already been used" in replayed.text
    assert english_client(app).get("/login/sso/callback?state=forged&code=x").status_code == 400
    assert [row["reason"] for row in failures(app)] == ["state", "state", "state"]
    assert len(rows(app, AuditLog, AuditLog.event == AuditEvent.LOGIN)) == 1


@pytest.mark.sqlite_only
def test_an_unreachable_provider_gives_a_clear_page(sso_app, oidc_provider):
    app = sso_app()
    oidc_provider.stop()
    response = english_client(app).get("/login/sso")
    assert response.status_code == 400
    assert "Université Exemple cannot be reached at the moment" in response.text
    assert failures(app) == [{"method": "oidc", "reason": "unreachable"}]


@pytest.mark.sqlite_only
def test_a_provider_down_at_the_token_exchange_gives_a_clear_page(sso_app, oidc_provider):
    app = sso_app()
    client = english_client(app)
    start = client.get("/login/sso")
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    oidc_provider.stop()
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 400
    assert "cannot be reached at the moment" in response.text
    assert failures(app) == [{"method": "oidc", "reason": "unreachable"}]


@pytest.mark.sqlite_only
def test_the_error_page_is_in_french_by_default(sso_app, oidc_provider):
    app = sso_app()
    oidc_provider.misbehave = {"bad_signature"}
    response = sso_login(app.test_client())
    assert response.status_code == 400
    assert "La connexion avec Université Exemple a échoué" in response.text


@pytest.mark.sqlite_only
def test_a_refusal_from_the_provider_is_shown(sso_app):
    app = sso_app()
    client = english_client(app)
    start = client.get("/login/sso")
    state = dict(part.split("=", 1) for part in urlsplit(start.headers["Location"]).query.split("&"))["state"]
    response = client.get(f"/login/sso/callback?state={state}&error=access_denied")
    assert response.status_code == 400
    assert "was cancelled or refused" in response.text


# --- the login page and local passwords --------------------------------------------------------


@pytest.mark.sqlite_only
def test_the_login_page_offers_the_institution_only_when_configured(sso_app, client):
    assert "Se connecter avec" not in client.get("/login").text
    assert client.get("/login/sso").status_code == 404
    page = sso_app().test_client().get("/login?next=/account/password").text
    assert "Se connecter avec Université Exemple" in page
    assert 'href="/login/sso?next=/account/password"' in page


@pytest.mark.sqlite_only
def test_local_password_refused_for_a_role_that_must_use_sso(sso_app):
    app = sso_app(LOCAL_LOGIN_DISABLED_ROLES="admin,director")
    make_user(app, "admin@univ.example", [Role.ADMIN], locale="en")
    learner_id = make_user(app, "learner@univ.example", [Role.LEARNER])

    client = english_client(app)
    refused = login(client, "admin@univ.example", PASSWORD)
    assert refused.status_code == 200
    assert "Your account logs in through Université Exemple only" in refused.text
    assert rows(app, AuthSession) == []
    assert failures(app)[-1] == {"reason": "local_login_disabled"}
    assert login(app.test_client(), "learner@univ.example", PASSWORD).status_code == 302

    for email in ("admin@univ.example", "learner@univ.example"):  # no password link for them either
        page = client.get("/password/forgotten")
        client.post("/password/forgotten", data={"csrf_token": csrf_token(page.text), "email": email})
    sent = rows(app, AuditLog, AuditLog.event == AuditEvent.PASSWORD_LINK_SENT)
    assert [row.details["user"] for row in sent] == [learner_id]


@pytest.mark.sqlite_only
def test_a_password_link_cannot_give_a_password_to_a_role_that_must_use_sso(sso_app):
    app = sso_app(LOCAL_LOGIN_DISABLED_ROLES="admin")
    make_user(app, "admin@univ.example", [Role.ADMIN], locale="en")
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.email == "admin@univ.example"))
        link = tokens.make_token(user, tokens.LinkPurpose.RESET)
    client = english_client(app)
    page = client.get(f"/password/reset/{link}")
    answer = client.post(
        f"/password/reset/{link}",
        data={"csrf_token": csrf_token(page.text), "new_password": "another long one", "confirm": "another long one"},
    )
    assert answer.status_code == 422
    assert "logs in through Université Exemple only: it has no password" in answer.text
    assert rows(app, AuthSession) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"OIDC_ROLE_MAP": "student=pupil"}, "is not a role"),
        ({"OIDC_ROLE_MAP": "student"}, "is not claim-value=role"),
        ({"OIDC_ROLE_CLAIM": None}, "needs LMS_OIDC_ROLE_CLAIM"),
        ({"OIDC_CLIENT_ID": None}, "must be set together"),
        ({"OIDC_CREATE_ACCOUNTS": "maybe"}, "must be true or false"),
        ({"OIDC_ISSUER": None, "OIDC_CLIENT_ID": None, "LOCAL_LOGIN_DISABLED_ROLES": "admin"}, "needs single sign-on"),
    ],
)
def test_wrong_settings_stop_the_app_with_their_reason(database_url, oidc_provider, settings, problem):
    with pytest.raises(RuntimeError, match=problem):
        make_app(database_url, **oidc_provider.settings(**settings))


def test_role_map_parsing():
    assert sso.parse_role_map("student=learner, faculty=tutor+director,faculty=admin") == {
        "student": frozenset({Role.LEARNER}),
        "faculty": frozenset({Role.TUTOR, Role.DIRECTOR, Role.ADMIN}),
    }
    assert sso.parse_role_map("") == {}
