"""UAs validated on evidence by a programme director: the audit moves at once, the learner is
told, revoking keeps the decision on record, and only the learner's directors (or admins) decide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.queries import learner_by_number
from lms.catalog.models import Programme, ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.notifications.models import Notification
from lms.progress.models import ProgressSnapshot
from lms.results import decisions
from lms.results.models import ActivityDecision, Decision
from tests.helpers import client_for, csrf_token
from tests.progress.test_learner_record import PASSWORD, RECORD
from tests.results.test_decisions import LEARNER, unit, user


def licence_leaf(learner, code: str) -> dict:
    snapshot = db.session.scalar(
        sa.select(ProgressSnapshot)
        .join(Enrolment)
        .join(ProgrammeVersion)
        .join(Programme)
        .where(Enrolment.learner_id == learner.id, Programme.code == "LG02501A")
    )

    def walk(node):
        if node.get("unit") == code:
            return node
        for child in node.get("children", ()):
            found = walk(child)
            if found:
                return found
        return None

    return walk(snapshot.result["requirements"])


def test_a_validated_ua_meets_its_leaf_at_once_and_revoking_undoes_it(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")  # directs LG02501A
        assert licence_leaf(learner, "UAAL0T")["status"] != "met"
        row = decisions.decide_activity(
            director,
            learner,
            unit("UAAL0T"),
            Decision.VALIDATED,
            date(2026, 11, 20),
            "Attestations employeur : 4 ans de développement",
            Decimal("14.5"),
        )
        assert licence_leaf(learner, "UAAL0T")["status"] == "met"
        notice = db.session.scalar(
            sa.select(Notification).where(
                Notification.user_id == learner.user_id, Notification.kind == "activity_decided"
            )
        )
        assert notice is not None and "UAAL0T" in notice.title
        with pytest.raises(decisions.DecisionError):  # one live decision per UA
            decisions.decide_activity(
                director, learner, unit("UAAL0T"), Decision.NOT_VALIDATED, date(2026, 11, 21), "x"
            )
        with pytest.raises(decisions.DecisionError):
            decisions.revoke_activity_decision(director, row, " ")
        decisions.revoke_activity_decision(director, row, "Attestation non signée")
        assert licence_leaf(learner, "UAAL0T")["status"] != "met"
        again = decisions.decide_activity(
            director,
            learner,
            unit("UAAL0T"),
            Decision.NOT_VALIDATED,
            date(2026, 11, 22),
            "Expérience hors du champ du diplôme",
        )
        assert licence_leaf(learner, "UAAL0T")["status"] != "met"
        kept = db.session.scalars(sa.select(ActivityDecision).where(ActivityDecision.learner_id == learner.id)).all()
        assert {(r.id, r.revoked_at is None) for r in kept} == {(row.id, False), (again.id, True)}
        db.session.rollback()


@pytest.mark.sqlite_only
def test_only_uas_and_only_the_learners_directors(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        with pytest.raises(decisions.DecisionError, match="UE"):
            decisions.decide_activity(
                user("directeur@example.org"), learner, unit("RSX103"), Decision.VALIDATED, date(2026, 11, 20), "x"
            )
        for outsider in ("directrice.master@example.org", "enseignant@example.org"):
            with pytest.raises(decisions.NotAllowed):
                decisions.decide_activity(
                    user(outsider), learner, unit("UAAL0T"), Decision.VALIDATED, date(2026, 11, 20), "x"
                )
        with pytest.raises(decisions.DecisionError):  # evidence is required
            decisions.decide_activity(
                user("admin@example.org"), learner, unit("UAAL0T"), Decision.VALIDATED, date(2026, 11, 20), "   "
            )
        assert db.session.scalar(sa.select(sa.func.count(ActivityDecision.id))) == 0
        db.session.rollback()


def test_director_decides_from_the_learner_record(demo_app):
    client = client_for(demo_app, "directeur@example.org", PASSWORD)
    token = csrf_token(client.get(RECORD).text)
    form = {
        "ua-csrf_token": token,
        "ua-unit": "uaal0t",
        "ua-decision": "validated",
        "ua-grade": "12.345",
        "ua-decided_on": "2026-11-20",
        "ua-evidence": "Rapport d'activité et soutenance",
    }
    refused = client.post(f"{RECORD}/activities", data=form)
    assert refused.status_code == 400 and "deux décimales" in refused.text
    assert client.post(f"{RECORD}/activities", data={**form, "ua-unit": "RSX103", "ua-grade": ""}).status_code == 400
    assert client.post(f"{RECORD}/activities", data={**form, "ua-grade": "15"}).status_code == 302
    page = client.get(RECORD).text
    assert "UAAL0T" in page and "Rapport d&#39;activité et soutenance" in page and "15,00/20" in page
    with demo_app.app_context():
        decision_id = db.session.scalar(sa.select(ActivityDecision.id))
    revoked = client.post(
        f"{RECORD}/activities/{decision_id}/revoke",
        data={"revoke-csrf_token": token, "revoke-reason": "Erreur de saisie"},
    )
    assert revoked.status_code == 302
    assert "Erreur de saisie" in client.get(RECORD).text
    outsider = client_for(demo_app, "directrice.master@example.org", PASSWORD)
    token = csrf_token(outsider.get(RECORD).text)
    assert (
        outsider.post(f"{RECORD}/activities", data={**form, "ua-csrf_token": token, "ua-grade": ""}).status_code == 403
    )
