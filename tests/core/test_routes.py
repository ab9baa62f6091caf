"""Deny-by-default, checked on the whole URL map: a route added without thinking about access
fails these tests instead of shipping open.

The walkers below are plain functions so that the last tests can prove they catch a broken route.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.routing import Rule

from lms.accounts.models import Role
from lms.core.access import ACCESS_ATTR, PUBLIC, login_required, public
from tests.helpers import csrf_token, login, make_user

# Endpoints anyone may open without logging in. Keep this list short and explicit: adding a name
# here is a security decision.
PUBLIC_ENDPOINTS = frozenset(
    {
        "accounts.login",
        "accounts.logout",  # logging out without a session just shows the login page
        "accounts.set_language",  # the login page offers the language choice
        "core.healthz",
        "timetable_certificates.verify",  # funders check an attendance certificate from its code
        "timetable_learner.calendar_feed",  # calendar applications read the feed by its secret token
        "core.verify",  # third parties check a certificate's or a transcript's authenticity
        "intakes_candidate.signup",  # a new person creates an account to apply
        "intakes_candidate.open_intakes",  # candidates browse the open intakes before signing up
        "programmes.index",  # the public catalogue of programmes
        "programmes.show",
        "accounts.forgot_password",  # asks for a one-time link; the answer never says if the address exists
        "accounts.reset_password",  # opened from the one-time link
        "api_docs.openapi_json",  # the API's description and its page
        "api_docs.docs",
        "api.programmes",  # the public catalogue, as JSON
        "api.programme",
        "api.programme_version",
        "api.units",
        "api.unit",
        "api.verify",  # the public verification of a certificate or transcript, as JSON
        "accounts_sso.start",  # the login button of single sign-on (404 when not configured)
        "accounts_sso.callback",  # the identity provider sends the browser back here (state-checked)
        "lti.jwks",  # the tool's public keys, fetched by LTI platforms
        "lti.login",  # LTI OIDC login initiation, sent by the platform
        "lti.launch",  # LTI launch: the platform's signed id_token, checked with state and nonce
    }
)
# Posted cross-site by an LTI platform, so without lms's CSRF token: the signed id_token, the state
# cookie and the nonce (good once) stand for it.
PROTOCOL_POSTS = frozenset({"lti.login", "lti.launch"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_ROLES = tuple(Role)
CSRF_MESSAGE = "The form has expired or was not sent by this site."

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>.*?)\))?:)?(?P<name>\w+)>")
_DUMMIES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000001"}


def is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def checked_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules() if not is_static(rule.endpoint)), key=str)


def protected_rules(app: Flask) -> list[Rule]:
    return [rule for rule in checked_rules(app) if rule.endpoint not in PUBLIC_ENDPOINTS]


def sample_path(rule: Rule) -> str:
    """The rule's path with every converter filled with a dummy value (1 for int, "x" for strings)."""

    def fill(match: re.Match) -> str:
        converter = match["converter"] or "default"
        if converter == "any":
            first = (match["args"] or "x").split(",")[0]
            return first.strip().strip("'\"")
        return _DUMMIES.get(converter, "x")

    return _ARGUMENT.sub(fill, rule.rule)


def undeclared_endpoints(app: Flask) -> list[str]:
    return [rule.endpoint for rule in checked_rules(app) if not hasattr(app.view_functions[rule.endpoint], ACCESS_ATTR)]


def anonymous_leaks(app: Flask) -> list[str]:
    """Protected routes an anonymous client is not turned away from, with what it got instead."""
    client = app.test_client()
    token = csrf_token(client.get("/login").text)  # so that a POST-only route reaches the access check
    leaks = []
    for rule in protected_rules(app):
        path = sample_path(rule)
        if "GET" in rule.methods:
            response = client.get(path)
        else:
            method = sorted(rule.methods - SAFE_METHODS)[0]
            response = client.open(path, method=method, data={"csrf_token": token})
        if path.startswith("/api/"):
            ok = response.status_code == 401 and response.is_json
        else:
            location = urlsplit(response.headers.get("Location", ""))
            ok = response.status_code == 302 and location.path == "/login" and "next=" in location.query
        if not ok:
            leaks.append(f"{rule.endpoint} {path}: {response.status_code} {response.headers.get('Location', '')}")
    return leaks


def csrf_gaps(app: Flask, client) -> list[str]:
    """State-changing routes that do not answer 400 to a request without a CSRF token."""
    gaps = []
    for rule in checked_rules(app):
        if rule.endpoint in PROTOCOL_POSTS:
            continue
        for method in sorted(rule.methods - SAFE_METHODS):
            response = client.open(sample_path(rule), method=method, data={"anything": "1"})
            body = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in body:
                gaps.append(f"{method} {rule.endpoint}: {response.status_code}")
    return gaps


def log_in_with_all_roles(app: Flask, client) -> None:
    make_user(app, "all@example.org", ALL_ROLES, locale="en")
    assert login(client, "all@example.org").status_code == 302


# --- the real URL map --------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_url_map_has_the_expected_core_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    # The walkers below would pass vacuously on an empty map.
    expected = {"accounts.login", "accounts.logout", "core.home", "core.healthz", "api.me", "catalog.programmes"}
    assert expected <= endpoints
    assert protected_rules(app)


@pytest.mark.sqlite_only
def test_every_view_declares_an_access_rule(app):
    assert undeclared_endpoints(app) == []


@pytest.mark.sqlite_only
def test_only_allow_listed_views_are_public(app):
    public_views = {
        rule.endpoint
        for rule in checked_rules(app)
        if getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None) == PUBLIC
    }
    assert public_views <= PUBLIC_ENDPOINTS, f"public but not allow-listed: {sorted(public_views - PUBLIC_ENDPOINTS)}"


@pytest.mark.sqlite_only
def test_anonymous_requests_to_protected_routes_go_to_login(app):
    assert anonymous_leaks(app) == []


@pytest.mark.sqlite_only
def test_public_routes_answer_anonymous_requests(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.sqlite_only
def test_state_changing_routes_require_a_csrf_token_even_when_logged_in(app, client):
    log_in_with_all_roles(app, client)
    assert csrf_gaps(app, client) == []
    # Still logged in: the refused requests changed nothing (logout without a token did not log out).
    assert client.get("/").status_code == 200


def test_sample_path_fills_converters():
    rules = {
        "/a/<int:id>": "/a/1",
        "/b/<name>": "/b/x",
        "/c/<string(length=2):code>/<path:rest>": "/c/x/x",
        "/d/<any(pdf, csv):fmt>/<uuid:u>": "/d/pdf/00000000-0000-0000-0000-000000000001",
        "/e/<float:f>": "/e/1.0",
    }
    for pattern, expected in rules.items():
        assert sample_path(Rule(pattern, endpoint="x")) == expected


# --- the walkers catch mistakes ----------------------------------------------------------------


def _add_rule(app: Flask, rule: str, endpoint: str, decorator=None, methods=("GET",)):
    def view(**kwargs):
        return "secret page"

    view.__name__ = endpoint.replace(".", "_")
    app.add_url_rule(rule, endpoint, decorator(view) if decorator else view, methods=list(methods))


@pytest.mark.sqlite_only
def test_an_undeclared_view_is_refused_to_everyone_and_reported(app, client):
    _add_rule(app, "/forgotten/<int:item>", "forgotten")
    assert undeclared_endpoints(app) == ["forgotten"]

    log_in_with_all_roles(app, client)
    response = client.get("/forgotten/1")
    assert response.status_code == 403
    assert "secret page" not in response.text


@pytest.mark.sqlite_only
def test_an_unlisted_public_view_is_reported(app):
    _add_rule(app, "/open/<name>", "open_by_mistake", public)
    assert any(line.startswith("open_by_mistake /open/x: 200") for line in anonymous_leaks(app))


@pytest.mark.sqlite_only
def test_a_post_route_exempt_from_csrf_is_reported(app, client):
    from lms.extensions import csrf

    _add_rule(app, "/exempt", "exempt", lambda view: csrf.exempt(login_required(view)), methods=("POST",))
    log_in_with_all_roles(app, client)
    assert csrf_gaps(app, client) == ["POST exempt: 200"]
