"""LTI 1.3 launches signed by a simulated platform on loopback (tests/fixtures/lti_platform.py):
a valid launch signs the person in; a bad signature, a wrong deployment, a wrong or replayed
nonce and an expired token are refused; deep linking answers with a JWT the platform verifies
with the tool's JWKS; the roster comes from the platform's Names and Roles service."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet

from lms.accounts.models import ExternalIdentity, User
from lms.extensions import db
from lms.lti import keys, services
from lms.lti.models import MatchBy
from tests.fixtures.lti_platform import CLIENT_ID, LIS, LTI

pytestmark = pytest.mark.sqlite_only


def _register(app, lti_platform):
    with app.app_context():
        services.add_platform(**lti_platform.registration(), match_by=MatchBy.EMAIL, create_accounts=True)
        keys.signing_key()
        db.session.commit()
        lti_platform.tool_jwks = keys.jwks()
    return app


@pytest.fixture
def lti_app(app, lti_platform):
    return _register(app, lti_platform)


@pytest.fixture
def lti_demo_app(demo_app, lti_platform):
    return _register(demo_app, lti_platform)


def start(client, platform) -> dict:
    answer = client.post(
        "/lti/login",
        data={
            "iss": platform.issuer,
            "login_hint": "7",
            "target_link_uri": "http://localhost/me/",
            "client_id": CLIENT_ID,
        },
    )
    assert answer.status_code == 302, answer.text[:500]
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert answer.headers["Location"].startswith(f"{platform.issuer}/auth?")
    assert params["client_id"] == CLIENT_ID and params["redirect_uri"].endswith("/lti/launch")
    return params


def test_a_valid_launch_signs_the_learner_in(lti_app, lti_platform):
    client = lti_app.test_client()
    params = start(client, lti_platform)
    token = lti_platform.id_token(params["nonce"], **{LTI + "target_link_uri": "http://localhost/me/"})
    answer = client.post("/lti/launch", data={"id_token": token, "state": params["state"]})
    assert answer.status_code == 302, answer.text[:800]
    assert answer.headers["Location"].endswith("/me/")
    assert "frame-ancestors " + lti_platform.issuer in answer.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer.headers
    cookie = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("lms_session=")][0]
    assert "SameSite=None" in cookie and "Secure" in cookie
    with lti_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "claire.martin@univ.example"))
        assert user is not None and "learner" in user.roles
        identity = db.session.scalar(sa.select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
        assert identity.issuer == lti_platform.issuer and identity.subject == "moodle-user-7"
    page = client.get("/me/")
    assert page.status_code == 200
    assert "frame-ancestors " + lti_platform.issuer in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("how", ["bad_signature", "wrong_deployment", "wrong_nonce", "expired", "wrong_audience"])
def test_bad_launches_are_refused(lti_app, lti_platform, how):
    client = lti_app.test_client()
    params = start(client, lti_platform)
    extra = {
        "bad_signature": {"key": lti_platform.other_key},
        "wrong_deployment": {LTI + "deployment_id": "not-registered"},
        "expired": {"expired": True},
        "wrong_audience": {"aud": "another-tool"},
    }.get(how, {})
    nonce = "not-the-nonce" if how == "wrong_nonce" else params["nonce"]
    token = lti_platform.id_token(nonce, **extra)
    answer = client.post("/lti/launch", data={"id_token": token, "state": params["state"]})
    assert answer.status_code == 400, answer.text[:500]
    assert client.get("/me/").status_code == 302  # not logged in


def test_a_replayed_launch_is_refused(lti_app, lti_platform):
    client = lti_app.test_client()
    params = start(client, lti_platform)
    token = lti_platform.id_token(params["nonce"])
    data = {"id_token": token, "state": params["state"]}
    assert client.post("/lti/launch", data=data).status_code == 302
    assert client.post("/lti/launch", data=data).status_code == 400


def test_the_tool_jwks_is_public(lti_app):
    keys_ = lti_app.test_client().get("/lti/jwks.json").get_json()["keys"]
    assert keys_ and keys_[0]["kty"] == "RSA" and "d" not in keys_[0] and keys_[0]["kid"]


def test_deep_linking_answer_is_verified_by_the_platform(lti_app, lti_platform):
    client = lti_app.test_client()
    params = start(client, lti_platform)
    token = lti_platform.id_token(
        params["nonce"],
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "roles": [LIS + "Instructor"],
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": f"{lti_platform.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
                "data": "opaque",
            },
        },
    )
    del_resource = client.post("/lti/launch", data={"id_token": token, "state": params["state"]})
    assert del_resource.status_code == 302 and "/lti/deep-link" in del_resource.headers["Location"], del_resource.text[
        :500
    ]
    page = client.get(del_resource.headers["Location"])
    assert page.status_code == 200
    from tests.helpers import csrf_token

    launch_id = parse_qs(urlsplit(del_resource.headers["Location"]).query)["launch"][0]
    answer = client.post(
        "/lti/deep-link", data={"csrf_token": csrf_token(page.text), "launch_id": launch_id, "items": ["progress"]}
    )
    assert answer.status_code == 200, answer.text[:800]
    assert f"form-action 'self' {lti_platform.issuer}" in answer.headers["Content-Security-Policy"]
    signed = answer.text.split('name="JWT" value="')[1].split('"')[0]
    claims = jwt.decode(signed, KeySet.import_key_set(client.get("/lti/jwks.json").get_json())).claims
    assert claims["iss"] == CLIENT_ID and claims["aud"] == [lti_platform.issuer]
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["url"].endswith("/me/") and claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque"


def test_a_tutor_compares_the_course_roster_with_the_offering(lti_demo_app, lti_platform):
    lti_app = lti_demo_app
    from lms.timetable.models import Offering, offering_tutors

    with lti_app.app_context():
        offering = db.session.scalar(sa.select(Offering).limit(1))
        if offering is None:
            pytest.skip("no offering in the migrated database")
    lti_platform.members = [
        {
            "user_id": "moodle-9",
            "name": "Ada Lovelace",
            "email": "ada@univ.example",
            "roles": [LIS + "Learner"],
            "status": "Active",
        },
        {
            "user_id": "moodle-user-7",
            "name": "Claire Martin",
            "email": "claire.martin@univ.example",
            "roles": [LIS + "Instructor"],
        },
    ]
    client = lti_app.test_client()
    params = start(client, lti_platform)
    token = lti_platform.id_token(params["nonce"], **{LTI + "roles": [LIS + "Instructor"]})
    assert client.post("/lti/launch", data={"id_token": token, "state": params["state"]}).status_code == 302
    with lti_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "claire.martin@univ.example"))
        db.session.execute(sa.insert(offering_tutors).values(offering_id=offering.id, user_id=user.id))
        db.session.commit()
        from lms.lti.models import LtiContext

        context_id = db.session.scalar(sa.select(LtiContext.id))
    page = client.get(f"/lti/roster?context={context_id}&offering={offering.id}")
    assert page.status_code == 200, page.text[:500]
    assert "Ada Lovelace" in page.text
    assert lti_platform.hits.get("/token") == 1 and lti_platform.hits.get("/nrps/course-42") == 1
