"""The lifecycle of an enrolment: one active enrolment per learner and programme (the database
enforces it), explicit transitions (active, suspended, withdrawn, completed, moved), each change
recorded with its date and who made it, and moves that keep the intake and the original enrolment."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from tests.helpers import client_for
from tests.intakes.world import build_world, post_form


def learner_id(app, number):
    with app.app_context():
        return db.session.scalar(sa.select(Learner.id).where(Learner.learner_number == number))


def enrolled_from_intake(app, world, on=date(2024, 9, 1)) -> int:
    """The existing learner, enrolled on the old master from its intake on ``on``."""
    with app.app_context():
        enrolment = Enrolment(
            learner_id=learner_id(app, world.learner_number),
            programme_version_id=world.master_old,
            intake_id=world.master_intake,
            enrolled_on=on,
        )
        db.session.add(enrolment)
        db.session.commit()
        return enrolment.id


def rows(app, number):
    with app.app_context():
        return [
            (e.programme_version_id, e.status, e.intake_id, e.enrolled_on)
            for e in db.session.scalars(
                sa.select(Enrolment).where(Enrolment.learner_id == learner_id(app, number)).order_by(Enrolment.id)
            )
        ]


def test_reenrolling_in_the_old_version_after_a_move_is_refused(app):
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    admin = client_for(app, "admin@example.org")
    move_url = f"/learners/{world.learner_number}/enrolments/{enrolment_id}/move"
    moved = post_form(admin, move_url, data={"programme_version_id": str(world.master_new), "confirm": "1"})
    assert moved.status_code == 303
    again = post_form(
        admin, f"/learners/{world.learner_number}/enrol", data={"programme_version_id": str(world.master_old)}
    )
    assert again.status_code == 422 and "already has an enrolment in progress in MR12202A" in again.text
    (old, new) = rows(app, world.learner_number)
    # The old enrolment stays moved, with its intake and its date; the learner is active once.
    assert old == (world.master_old, EnrolmentStatus.MOVED, world.master_intake, date(2024, 9, 1))
    assert new[1] is EnrolmentStatus.ACTIVE and new[0] == world.master_new
