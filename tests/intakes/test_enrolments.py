"""Administrators' enrolments: a direct enrolment from the learner record, and moving an enrolment
to a newer programme version after a preview of the units whose status changes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import Unit
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.models import ProgressSnapshot
from lms.results.models import Credit, CreditSource
from tests.helpers import client_for
from tests.intakes.world import build_world, post_form


def enrolments(app, number):
    with app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == number))
        return [
            (e.programme_version_id, e.status, e.ended_on)
            for e in db.session.scalars(
                sa.select(Enrolment).where(Enrolment.learner_id == learner.id).order_by(Enrolment.id)
            )
        ]


@pytest.mark.sqlite_only
def test_direct_enrolment(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    url = f"/learners/{world.learner_number}/enrol"
    response = post_form(admin, url, data={"programme_version_id": str(world.certificate)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/learners/{world.learner_number}")
    [(version, status, ended)] = enrolments(app, world.learner_number)
    assert version == world.certificate and status is EnrolmentStatus.ACTIVE and ended is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProgressSnapshot.id))) == 1
    again = post_form(admin, url, data={"programme_version_id": str(world.certificate)})
    assert again.status_code == 422 and "already enrolled" in again.text
    assert post_form(admin, url, data={"programme_version_id": "999"}).status_code == 422
    assert admin.get("/learners/000000A/enrol").status_code == 404
    for email in ("director@example.org", "candidate1@example.org", "learner@example.org"):
        assert client_for(app, email).get(url).status_code == 403


def test_moving_to_a_newer_version(app):
    world = build_world(app)
    with app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == world.learner_number))
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "NFA003"))
        db.session.add(
            Credit(learner=learner, unit=unit, source=CreditSource.DISPENSE, granted_on=utcnow().date(), reason="Work")
        )
        db.session.add(Enrolment(learner=learner, programme_version_id=world.master_old, enrolled_on=date(2024, 9, 1)))
        db.session.commit()
        enrolment_id = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.learner_id == learner.id))
    admin = client_for(app, "admin@example.org")
    url = f"/learners/{world.learner_number}/enrolments/{enrolment_id}/move"
    preview = post_form(admin, url, data={"programme_version_id": str(world.master_new), "preview": "1"})
    assert preview.status_code == 200
    text = preview.text
    # NFA002 leaves the programme (was to validate), NFA003 now counts; NFA001 counts in both.
    changes = text.split("What the move changes")[1]
    assert "NFA002" in changes and "NFA003" in changes and "NFA001" not in changes
    assert "not in this version" in changes and "validated, counts nowhere" in changes
    assert "ECTS validated that count here: 6 → 12" in text
    assert len(enrolments(app, world.learner_number)) == 1  # a preview writes nothing
    moved = post_form(admin, url, data={"programme_version_id": str(world.master_new), "confirm": "1"})
    assert moved.status_code == 303
    (old_version, old_status, old_end), (new_version, new_status, new_end) = enrolments(app, world.learner_number)
    assert (old_version, old_status) == (world.master_old, EnrolmentStatus.MOVED) and old_end == utcnow().date()
    assert (new_version, new_status, new_end) == (world.master_new, EnrolmentStatus.ACTIVE, None)
    with app.app_context():
        snapshot = db.session.scalar(
            sa.select(ProgressSnapshot).join(Enrolment).where(Enrolment.programme_version_id == world.master_new)
        )
        assert snapshot is not None and snapshot.status.value == "complete"
    # A moved enrolment moves no further; an older version is not a target.
    assert (
        post_form(admin, url, data={"programme_version_id": str(world.master_new), "confirm": "1"}).status_code == 422
    )
    with app.app_context():
        new_id = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.programme_version_id == world.master_new))
    back = admin.get(f"/learners/{world.learner_number}/enrolments/{new_id}/move")
    assert "no newer version" in back.text
    # Another learner's enrolment is not reachable under this number.
    assert admin.get(f"/learners/000000A/enrolments/{enrolment_id}/move").status_code == 404
