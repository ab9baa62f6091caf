"""Learners' audits through the API: exactly the engine's JSON (formats.md section 3), and only to
the learner, the directors of their programmes and administrators (404 to anyone else: no data
and no sign the learner exists)."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.accounts.queries import learner_by_number
from lms.api import services
from lms.api.models import Scope
from lms.catalog.directors import may_see_learner
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit.engine import audit
from lms.progress.queries import catalogue_from_database, enrolled_version
from lms.progress.records import learner_record

PASSWORD = "demo-lms-2026"
LEARNER = "100000W"


def token_of(app, email: str, scope: Scope = Scope.READ) -> dict[str, str]:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        _token, secret = services.create_personal_token(user, f"t-{email}-{scope}", scope, 30)
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_learners_own_audit_is_the_engines_json(demo_app):
    client = demo_app.test_client()
    mine = token_of(demo_app, "apprenant@example.org")
    listed = client.get(f"/api/v1/learners/{LEARNER}/audits", headers=mine)
    assert listed.status_code == 200
    programmes = [item["program"] for item in listed.json["items"]]
    assert programmes
    code = programmes[0]
    answer = client.get(f"/api/v1/learners/{LEARNER}/audits/{code}", headers=mine)
    assert answer.status_code == 200
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        catalog = catalogue_from_database()
        version = enrolled_version(learner, code)
        today = utcnow().date()
        expected = audit(
            catalog.programs[(code, version)], catalog.units, catalog.equivalences, learner_record(learner), today
        )
    assert answer.json == expected
    assert listed.json["items"][0] == expected
    ranking = client.get(f"/api/v1/learners/{LEARNER}/ranking", headers=mine)
    assert ranking.status_code == 200
    rows = ranking.json
    assert len(rows) == len({code for code, _version in catalog.programs})
    assert rows == sorted(rows, key=lambda row: (row["missing_ects"] is None, row["missing_ects"] or 0, row["program"]))
    # What-if: any programme, any version.
    other = next(code for code, _v in catalog.programs if code not in programmes)
    assert client.get(f"/api/v1/learners/{LEARNER}/audits/{other}", headers=mine).json["program"] == other
    assert client.get(f"/api/v1/learners/{LEARNER}/audits/NOPE", headers=mine).status_code == 404
    assert client.get(f"/api/v1/learners/{LEARNER}/audits/{code}?version=0", headers=mine).status_code == 404


def test_nobody_else_sees_a_learners_audit(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        others = db.session.scalars(sa.select(Learner).where(Learner.id != learner.id).limit(1)).all()
        other_email = others[0].user.email
        directors = db.session.scalars(sa.select(User).where(User.email.like("direct%@example.org"))).all()
        outsiders = [d.email for d in directors if not may_see_learner(d, learner)]
        insiders = [d.email for d in directors if may_see_learner(d, learner)]
    paths = [
        f"/api/v1/learners/{LEARNER}/audits",
        f"/api/v1/learners/{LEARNER}/ranking",
        f"/api/v1/learners/{LEARNER}/audits/LG02501A",
    ]
    for email in [other_email, "enseignant@example.org", *outsiders]:
        headers = token_of(demo_app, email)
        for path in paths:
            answer = client.get(path, headers=headers)
            assert answer.status_code == 404, (email, path)
            assert "program" not in answer.text
    for email in ["admin@example.org", *insiders]:
        headers = token_of(demo_app, email)
        assert client.get(paths[0], headers=headers).status_code == 200, email
    for path in paths:
        assert client.get(path).status_code == 401
    # An unknown learner looks the same as someone else's.
    headers = token_of(demo_app, "enseignant@example.org", Scope.WRITE)
    assert client.get("/api/v1/learners/999999Z/audits", headers=headers).status_code == 404
