"""Awards through the API, as the awards pages allow (the learner their own, a director their
programmes', an administrator all; another's award is 404), and the public verification of a
certificate by its code: what the public page shows, revoked or not."""

from __future__ import annotations

import html

import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.awards import services
from lms.catalog.models import ProgrammeVersion
from lms.extensions import db
from tests.api.test_audits import token_of
from tests.awards.world import ADMIN, DIRECTOR, DONE, NOT_DONE, OTHER_DIRECTOR, build_world, today


def award_one(app):
    world = build_world(app)
    with app.app_context():
        director = db.session.scalar(sa.select(User).where(User.email == DIRECTOR))
        learner = db.session.get(Learner, world.learners[DONE])
        version = db.session.get(ProgrammeVersion, world.certificate_version)
        award = services.grant_award(director, learner, version, today(), "Jury de printemps")
        db.session.commit()
        return award.id, award.verification_code


def test_awards_are_listed_and_shown_to_whoever_the_pages_show_them(app):
    award_id, _code = award_one(app)
    client = app.test_client()
    tokens = {email: token_of(app, email) for email in (DONE, DIRECTOR, ADMIN)}
    for email, headers in tokens.items():
        listed = client.get("/api/v1/awards", headers=headers)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json["items"]] == [award_id], email
        one = client.get(f"/api/v1/awards/{award_id}", headers=headers)
        assert one.status_code == 200
        assert one.json["programme"] == "CC13600A" and one.json["name"] == "Alice Done"
        assert one.json["verification_url"].endswith(f"/verify/{one.json['verification_url'].rsplit('/', 1)[1]}")
    admin = tokens[ADMIN]
    assert client.get("/api/v1/awards?programme=MR11401A", headers=admin).json["items"] == []
    assert len(client.get("/api/v1/awards?programme=cc13600a", headers=admin).json["items"]) == 1
    for email in (NOT_DONE, OTHER_DIRECTOR):
        headers = token_of(app, email)
        assert client.get("/api/v1/awards", headers=headers).json["items"] == []
        answer = client.get(f"/api/v1/awards/{award_id}", headers=headers)
        assert answer.status_code == 404 and "certificate_number" not in answer.text
    assert client.get("/api/v1/awards").status_code == 401


def test_anyone_verifies_a_certificate_by_its_code(app):
    award_id, code = award_one(app)
    client = app.test_client()
    answer = client.get(f"/api/v1/verify/{code}", headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json["valid"] is True and answer.json["holder"] == "Alice Done"
    assert answer.json["revoked_on"] is None and answer.json["facts"]
    page = html.unescape(client.get(f"/verify/{code}", headers={"Accept-Language": "fr"}).text)
    assert all(fact["label"] in page and fact["value"] in page for fact in answer.json["facts"])
    assert client.get("/api/v1/verify/nope").status_code == 404
    assert client.get("/api/v1/verify/" + "x" * 30).status_code == 404
    with app.app_context():
        director = db.session.scalar(sa.select(User).where(User.email == DIRECTOR))
        services.revoke_award(director, db.session.get(services.Award, award_id), "Fraude")
        db.session.commit()
    revoked = client.get(f"/api/v1/verify/{code}")
    assert revoked.json["valid"] is False and revoked.json["revoked_on"] == today().isoformat()
