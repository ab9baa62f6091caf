"""The learner record page: directors decide credits and substitutions there, in their programmes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.results.models import Credit
from tests.helpers import client_for, csrf_token

PASSWORD = "demo-lms-2026"
RECORD = "/learners/100000W"


def test_search_and_record_show_decisions_with_who_and_when(demo_app):
    client = client_for(demo_app, "directeur@example.org", PASSWORD)
    found = client.get("/learners/?q=100000")
    assert found.status_code == 200 and RECORD in found.text
    page = client.get(RECORD)
    assert page.status_code == 200
    assert "Camille Dupont" in page.text and "VES" in page.text and "Nadia Benali" in page.text


def test_director_grants_and_revokes_a_credit_from_the_page(demo_app):
    client = client_for(demo_app, "directeur@example.org", PASSWORD)
    page = client.get(RECORD).text
    token = csrf_token(page)
    refused = client.post(
        f"{RECORD}/credits",
        data={
            "credit-csrf_token": token,
            "credit-unit": "RSX103",
            "credit-source": "ves",
            "credit-programme": "",
            "credit-granted_on": "2026-11-20",
            "credit-reason": "Diplôme étranger",
        },
    )
    assert refused.status_code == 400
    assert "Un crédit VES vaut pour une seule formation" in refused.text
    granted = client.post(
        f"{RECORD}/credits",
        data={
            "credit-csrf_token": token,
            "credit-unit": "rsx103",
            "credit-source": "ves",
            "credit-programme": "CC0400A",
            "credit-granted_on": "2026-11-20",
            "credit-reason": "Diplôme étranger",
        },
    )
    assert granted.status_code == 302
    with demo_app.app_context():
        credit = db.session.scalar(sa.select(Credit).where(Credit.reason == "Diplôme étranger"))
        assert credit is not None and credit.decided_by_id is not None
        credit_id = credit.id
    revoked = client.post(
        f"{RECORD}/credits/{credit_id}/revoke",
        data={
            "revoke-csrf_token": token,
            "revoke-reason": "Erreur",
        },
    )
    assert revoked.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Credit, credit_id).revoke_reason == "Erreur"


@pytest.mark.sqlite_only
def test_outside_director_and_learner_are_refused(demo_app):
    outsider = client_for(demo_app, "directrice.master@example.org", PASSWORD)
    token = csrf_token(outsider.get(RECORD).text)
    response = outsider.post(
        f"{RECORD}/credits",
        data={
            "credit-csrf_token": token,
            "credit-unit": "RSX103",
            "credit-source": "ves",
            "credit-programme": "CC0400A",
            "credit-granted_on": "2026-11-20",
            "credit-reason": "x",
        },
    )
    assert response.status_code == 403
    learner = client_for(demo_app, "apprenant@example.org", PASSWORD)
    assert learner.get(RECORD).status_code == 403
    assert client_for(demo_app, "enseignant@example.org", PASSWORD).get("/learners/").status_code == 403
