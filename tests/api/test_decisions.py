"""Directors' decisions through the API: the record page's services, rules and messages; a
director only for their learners and programmes (404 for a learner they may not see), learners and
tutors refused; a refusal writes nothing; revoking keeps the decision on the record."""

from __future__ import annotations

import sqlalchemy as sa

from lms.api.models import Scope
from lms.extensions import db
from lms.results.models import Credit
from tests.api.test_audits import token_of

LEARNER = "100000W"
BASE = f"/api/v1/learners/{LEARNER}"


def test_a_director_grants_lists_and_revokes_a_credit(demo_app):
    client = demo_app.test_client()
    director = token_of(demo_app, "directeur@example.org", Scope.WRITE)
    listed = client.get(f"{BASE}/credits", headers=director)
    assert listed.status_code == 200
    before = len(listed.json["items"])
    assert any(item["source"] == "ves" for item in listed.json["items"])  # the demo's VES credit

    refused = client.post(
        f"{BASE}/credits",
        json={"unit": "RSX103", "source": "ves", "granted_on": "2026-11-20", "reason": "Diplôme étranger"},
        headers={**director, "Accept-Language": "fr"},
    )
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "Un crédit VES vaut pour une seule formation" in refused.json["detail"]
    unknown = client.post(
        f"{BASE}/credits",
        json={"unit": "ZZZ999", "source": "vae", "reason": "x"},
        headers={**director, "Accept-Language": "en"},
    )
    assert unknown.status_code == 422
    assert unknown.json["errors"] == [{"field": "unit", "message": "No unit ZZZ999 in the catalogue."}]
    future = client.post(
        f"{BASE}/credits",
        json={"unit": "RSX103", "source": "vae", "granted_on": "2999-01-01", "reason": "x"},
        headers={**director, "Accept-Language": "en"},
    )
    assert future.status_code == 422 and future.json["errors"][0]["field"] == "granted_on"
    stranger = client.post(
        f"{BASE}/credits",
        json={"unit": "RSX103", "source": "ves", "programme": "NOPE1", "reason": "x"},
        headers=director,
    )
    assert stranger.status_code == 422 and stranger.json["errors"][0]["field"] == "programme"

    granted = client.post(
        f"{BASE}/credits",
        json={"unit": "rsx103", "source": "ves", "programme": "CC0400A", "reason": "Diplôme étranger"},
        headers=director,
    )
    assert granted.status_code == 201, granted.json
    credit = granted.json
    assert credit["unit"] == "RSX103" and credit["programme"] == "CC0400A" and credit["decided_by"] == "Nadia Benali"
    assert credit["revoked_at"] is None
    again = client.post(
        f"{BASE}/credits",
        json={"unit": "RSX103", "source": "ves", "programme": "CC0400A", "reason": "x"},
        headers=director,
    )
    assert again.status_code == 422  # already credited

    paged = client.get(f"{BASE}/credits?limit=1", headers=director).json
    assert len(paged["items"]) == 1 and paged["page"]["has_next"] is (before + 1 > 1)

    url = f"{BASE}/credits/{credit['id']}/revocation"
    assert client.post(url, json={"reason": ""}, headers=director).status_code == 400
    revoked = client.post(url, json={"reason": "Erreur"}, headers=director)
    assert revoked.status_code == 200
    assert revoked.json["revoke_reason"] == "Erreur" and revoked.json["revoked_by"] == "Nadia Benali"
    assert client.post(url, json={"reason": "Encore"}, headers=director).status_code == 422
    with demo_app.app_context():
        assert db.session.get(Credit, credit["id"]).revoke_reason == "Erreur"
    assert client.post(f"{BASE}/credits/999999/revocation", json={"reason": "x"}, headers=director).status_code == 404


def test_ua_decisions_and_substitutions_follow_the_services_rules(demo_app):
    client = demo_app.test_client()
    admin = token_of(demo_app, "admin@example.org", Scope.WRITE)
    english = {**admin, "Accept-Language": "en"}
    ue = client.post(
        f"{BASE}/ua-decisions", json={"unit": "RSX103", "decision": "validated", "evidence": "x"}, headers=english
    )
    assert ue.status_code == 422
    assert "it is validated by an exam or a credit" in ue.json["detail"]
    bad_grade = client.post(
        f"{BASE}/ua-decisions",
        json={"unit": "RSX103", "decision": "validated", "evidence": "x", "grade": "25"},
        headers=english,
    )
    assert bad_grade.status_code == 422 and bad_grade.json["errors"][0]["field"] == "grade"
    listed = client.get(f"{BASE}/ua-decisions", headers=admin)
    assert listed.status_code == 200
    substitutions = client.get(f"{BASE}/substitutions", headers=admin)
    assert substitutions.status_code == 200
    itself = client.post(
        f"{BASE}/substitutions",
        json={"programme": "CC0400A", "substitute": "RSX103", "replaced": "RSX103", "reason": "x"},
        headers=english,
    )
    assert itself.status_code == 422
    assert itself.json["errors"] == [{"field": "substitute", "message": "A unit cannot stand for itself."}]


def test_only_the_learners_directors_and_administrators_see_or_decide(demo_app):
    client = demo_app.test_client()
    body = {"unit": "RSX103", "source": "vae", "reason": "x"}
    for email in ("directrice.master@example.org",):  # directs another programme: the learner is unknown to her
        other = token_of(demo_app, email, Scope.WRITE)
        for kind in ("credits", "substitutions", "ua-decisions"):
            answer = client.get(f"{BASE}/{kind}", headers=other)
            assert answer.status_code == 404 and "items" not in answer.json
        assert client.post(f"{BASE}/credits", json=body, headers=other).status_code == 404
        assert client.post(f"{BASE}/credits/1/revocation", json={"reason": "x"}, headers=other).status_code == 404
    for email in ("apprenant@example.org", "enseignant@example.org"):  # not staff: refused outright
        token = token_of(demo_app, email, Scope.WRITE)
        answer = client.get(f"{BASE}/credits", headers=token)
        assert answer.status_code == 403 and "items" not in answer.json
        assert client.post(f"{BASE}/credits", json=body, headers=token).status_code == 403
    reader = token_of(demo_app, "directeur@example.org", Scope.READ)
    assert client.get(f"{BASE}/credits", headers=reader).status_code == 200
    assert client.post(f"{BASE}/credits", json=body, headers=reader).status_code == 403  # a read token
    assert client.get(f"{BASE}/credits").status_code == 401
    with demo_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Credit.id)).where(Credit.reason == "x")) == 0
