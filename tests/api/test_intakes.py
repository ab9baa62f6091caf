"""Intakes and applications through the API: the review pages' lists, rules and messages; a
director reviews only their programmes' intakes (404 for the others), tutors and learners are
refused; an acceptance enrols the candidate in the same transaction, a refused decision writes
nothing."""

from __future__ import annotations

import sqlalchemy as sa

from lms.api.models import Scope
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment
from tests.api.test_audits import token_of
from tests.intakes.world import build_world, submitted_application


def status_of(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).status


def test_a_director_lists_reviews_and_decides_their_intakes_applications(app):
    world = build_world(app)
    first = submitted_application(app, "candidate1@example.org", world.master_intake, submitted_days_ago=2)
    second = submitted_application(app, "candidate2@example.org", world.master_intake, submitted_days_ago=1)
    flagged = submitted_application(app, "candidate3@example.org", world.master_intake, prior_level=4)
    other = submitted_application(app, "candidate4@example.org", world.certificate_intake)
    client = app.test_client()
    director = {**token_of(app, "director@example.org", Scope.WRITE), "Accept-Language": "en"}

    intakes = client.get("/api/v1/intakes", headers=director)
    assert intakes.status_code == 200
    assert [item["id"] for item in intakes.json["items"]] == [world.master_intake]
    assert intakes.json["items"][0]["counts"] == {"submitted": 3}
    assert client.get(f"/api/v1/intakes/{world.master_intake}", headers=director).json["capacity"] == 2

    url = f"/api/v1/intakes/{world.master_intake}/applications"
    listed = client.get(url, headers=director).json
    assert [item["id"] for item in listed["items"]] == [first, second, flagged]  # oldest submission first
    assert listed["places_left"] == 2
    assert [item["id"] for item in listed["items"] if item["flagged"]] == [flagged]
    page = client.get(f"{url}?limit=2&page=2", headers=director).json
    assert [item["id"] for item in page["items"]] == [flagged] and page["page"]["has_next"] is False
    assert client.get(f"{url}?limit=2", headers=director).json["page"]["has_next"] is True
    assert [i["id"] for i in client.get(f"{url}?flagged=true", headers=director).json["items"]] == [flagged]

    one = client.get(f"/api/v1/applications/{first}", headers=director)
    assert one.status_code == 200 and one.json["candidate"] == "Candidate 1" and one.json["status"] == "submitted"

    refused = client.post(f"/api/v1/applications/{flagged}/decision", json={"decision": "accept"}, headers=director)
    assert refused.status_code == 422
    assert "below the programme's entry level" in refused.json["detail"]
    no_reason = client.post(f"/api/v1/applications/{first}/decision", json={"decision": "reject"}, headers=director)
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    assert status_of(app, first) is ApplicationStatus.SUBMITTED

    accepted = client.post(f"/api/v1/applications/{first}/decision", json={"decision": "accept"}, headers=director)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(Enrolment.intake_id == world.master_intake))
            == 1
        )
    again = client.post(f"/api/v1/applications/{first}/decision", json={"decision": "waitlist"}, headers=director)
    assert again.status_code == 422 and "cannot be decided this way now" in again.json["detail"]

    # Another programme's intake and application: unknown to this director.
    assert client.get(f"/api/v1/intakes/{world.certificate_intake}", headers=director).status_code == 404
    assert client.get(f"/api/v1/intakes/{world.certificate_intake}/applications", headers=director).status_code == 404
    assert client.get(f"/api/v1/applications/{other}", headers=director).status_code == 404
    refused = client.post(f"/api/v1/applications/{other}/decision", json={"decision": "accept"}, headers=director)
    assert refused.status_code == 404
    assert status_of(app, other) is ApplicationStatus.SUBMITTED


def test_administrators_see_every_intake_and_others_are_refused(app):
    world = build_world(app)
    application = submitted_application(app, "candidate1@example.org", world.certificate_intake)
    client = app.test_client()
    admin = token_of(app, "admin@example.org")
    assert len(client.get("/api/v1/intakes", headers=admin).json["items"]) == 2
    assert client.get(f"/api/v1/applications/{application}", headers=admin).status_code == 200
    read_only = client.post(f"/api/v1/applications/{application}/decision", json={"decision": "accept"}, headers=admin)
    assert read_only.status_code == 403  # a read token
    for email in ("tutor@example.org", "learner@example.org", "candidate1@example.org"):
        token = token_of(app, email, Scope.WRITE)
        for url in ("/api/v1/intakes", f"/api/v1/intakes/{world.certificate_intake}/applications"):
            answer = client.get(url, headers=token)
            assert answer.status_code == 403 and "items" not in answer.json
        answer = client.post(f"/api/v1/applications/{application}/decision", json={"decision": "accept"}, headers=token)
        assert answer.status_code == 403
    assert status_of(app, application) is ApplicationStatus.SUBMITTED
