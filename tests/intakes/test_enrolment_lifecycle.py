"""The lifecycle of an enrolment: one active enrolment per learner and programme (the database
enforces it), explicit transitions (active, suspended, withdrawn, completed, moved), each change
recorded with its date and who made it, and moves that keep the intake and the original enrolment."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.intakes.services import lifecycle
from lms.progress.models import ProgressSnapshot
from tests.helpers import client_for, csrf_token
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


def test_a_move_keeps_the_intake_and_links_the_first_enrolment(app):
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    admin = client_for(app, "admin@example.org")
    move_url = f"/learners/{world.learner_number}/enrolments/{enrolment_id}/move"
    assert (
        post_form(admin, move_url, data={"programme_version_id": str(world.master_new), "confirm": "1"}).status_code
        == 303
    )
    with app.app_context():
        old = db.session.get(Enrolment, enrolment_id)
        new = db.session.scalar(sa.select(Enrolment).where(Enrolment.moved_from_id == enrolment_id))
        assert new.intake_id == world.master_intake and new.first_enrolled_on == date(2024, 9, 1)
        assert new.programme_id == old.programme_id
        assert [(e.from_status, e.to_status, e.actor.email) for e in old.events[1:]] == [
            (EnrolmentStatus.ACTIVE, EnrolmentStatus.MOVED, "admin@example.org")
        ]
        assert [(e.from_status, e.to_status, e.actor.email) for e in new.events] == [
            (None, EnrolmentStatus.ACTIVE, "admin@example.org")
        ]
        assert "Moved from MR12202A 2024" in new.events[0].note
    page = admin.get(f"/learners/{world.learner_number}/enrol")
    assert (
        "first enrolled in the programme on" in page.text and "History of the enrolment on MR12202A 2025" in page.text
    )


def test_the_database_keeps_one_active_enrolment_per_programme(app):
    world = build_world(app)
    enrolled_from_intake(app, world)
    with app.app_context():
        learner = learner_id(app, world.learner_number)
        # programme_id follows the version, whoever writes the row.
        first = db.session.scalar(sa.select(Enrolment))
        assert first.programme_id == first.programme_version.programme_id
        db.session.add(
            Enrolment(learner_id=learner, programme_version_id=world.master_new, enrolled_on=date(2025, 9, 1))
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
        # A withdrawn one beside the active one is fine, and so is another programme.
        db.session.add(
            Enrolment(
                learner_id=learner,
                programme_version_id=world.master_new,
                status=EnrolmentStatus.WITHDRAWN,
                enrolled_on=date(2025, 9, 1),
                ended_on=date(2025, 10, 1),
            )
        )
        db.session.add(
            Enrolment(learner_id=learner, programme_version_id=world.certificate, enrolled_on=date(2025, 9, 1))
        )
        db.session.commit()
        withdrawn = db.session.scalar(sa.select(Enrolment).where(Enrolment.programme_version_id == world.master_new))
        withdrawn.status = EnrolmentStatus.ACTIVE
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_status_changes_follow_the_transition_table(app):
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    with app.app_context():
        from lms.accounts.models import User

        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        enrolment = db.session.get(Enrolment, enrolment_id)
        lifecycle.change_status(enrolment, EnrolmentStatus.SUSPENDED, date(2025, 1, 10), admin, "Health")
        assert enrolment.ended_on is None
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.change_status(enrolment, EnrolmentStatus.COMPLETED, date(2025, 1, 11), admin)
        assert str(refused.value) == "Une inscription ne peut pas passer de « Suspendue » à « Terminé »."
        assert refused.value.status == 409
        lifecycle.change_status(enrolment, EnrolmentStatus.ACTIVE, date(2025, 3, 1), admin)
        lifecycle.change_status(enrolment, EnrolmentStatus.WITHDRAWN, date(2025, 6, 1), None, "No news")
        assert enrolment.ended_on == date(2025, 6, 1)
        with pytest.raises(lifecycle.TransitionRefused):
            lifecycle.change_status(enrolment, EnrolmentStatus.SUSPENDED, date(2025, 6, 2), admin)
        db.session.commit()
        events = [
            (e.from_status, e.to_status, e.occurred_on, e.actor_id is not None, e.note)
            for e in db.session.get(Enrolment, enrolment_id).events
        ]
        assert events == [
            (None, EnrolmentStatus.ACTIVE, date(2024, 9, 1), False, None),
            (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED, date(2025, 1, 10), True, "Health"),
            (EnrolmentStatus.SUSPENDED, EnrolmentStatus.ACTIVE, date(2025, 3, 1), True, None),
            (EnrolmentStatus.ACTIVE, EnrolmentStatus.WITHDRAWN, date(2025, 6, 1), False, "No news"),
        ]
        assert set(lifecycle.TRANSITIONS[EnrolmentStatus.COMPLETED]) == set()


def test_a_status_written_elsewhere_is_recorded_too(app):
    """Another area (a jury's award) sets the status itself: the history still has it."""
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.ended_on = date(2026, 7, 1)
        db.session.commit()
        [_, completed] = db.session.get(Enrolment, enrolment_id).events
        assert (completed.from_status, completed.to_status, completed.occurred_on, completed.actor_id) == (
            EnrolmentStatus.ACTIVE,
            EnrolmentStatus.COMPLETED,
            date(2026, 7, 1),
            None,
        )


def test_staff_suspend_resume_and_withdraw_from_the_enrolments_page(app):
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    admin = client_for(app, "admin@example.org")
    page_url = f"/learners/{world.learner_number}/enrol"
    url = f"/learners/{world.learner_number}/enrolments/{enrolment_id}/status"
    prefix = f"enrolment-{enrolment_id}-"

    def change(to, note=""):
        page = admin.get(page_url)
        token = csrf_token(page.text)
        return admin.post(url, data={f"{prefix}csrf_token": token, f"{prefix}to_status": to, f"{prefix}note": note})

    with app.app_context():
        before = db.session.scalar(sa.select(ProgressSnapshot.computed_at))
    suspended = change("suspended", "Moved abroad for a year")
    assert suspended.status_code == 303
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status is EnrolmentStatus.SUSPENDED
        assert db.session.scalar(sa.select(ProgressSnapshot.computed_at)) != before  # re-audited
    page = admin.get(page_url).text
    assert "Moved abroad for a year" in page and "In progress → Suspended" in page and "Admin" in page
    refused = change("completed")
    assert refused.status_code == 409 and "cannot go from “Suspended” to “Completed”" in refused.text
    # The page offers again only the changes allowed from where the enrolment stands.
    assert 'value="completed"' not in refused.text and 'value="active"' in refused.text
    assert change("active").status_code == 303
    assert change("withdrawn").status_code == 303
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status is EnrolmentStatus.WITHDRAWN
    # Nothing to change on a withdrawn enrolment any more, except by enrolling again.
    assert f'name="{prefix}to_status"' not in admin.get(page_url).text
    director = client_for(app, "director@example.org")
    assert director.post(url, data={"csrf_token": csrf_token(director.get("/").text)}).status_code == 403
    token = csrf_token(admin.get(page_url).text)
    unknown = admin.post(f"/learners/000000A/enrolments/{enrolment_id}/status", data={f"{prefix}csrf_token": token})
    assert unknown.status_code == 404


def test_enrolling_again_after_a_withdrawal_keeps_the_first_date_and_intake(app):
    world = build_world(app)
    enrolment_id = enrolled_from_intake(app, world)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        lifecycle.change_status(enrolment, EnrolmentStatus.WITHDRAWN, date(2025, 2, 1), None)
        db.session.commit()
    admin = client_for(app, "admin@example.org")
    again = post_form(
        admin, f"/learners/{world.learner_number}/enrol", data={"programme_version_id": str(world.master_old)}
    )
    assert again.status_code == 303
    assert rows(app, world.learner_number) == [
        (world.master_old, EnrolmentStatus.ACTIVE, world.master_intake, date(2024, 9, 1))
    ]
    with app.app_context():
        last = db.session.get(Enrolment, enrolment_id).events[-1]
        assert (last.from_status, last.to_status, last.note) == (
            EnrolmentStatus.WITHDRAWN,
            EnrolmentStatus.ACTIVE,
            "Enrolled again",
        )
        assert db.session.get(Enrolment, enrolment_id).ended_on is None
    # Suspended counts as enrolled: no second enrolment in the programme meanwhile.
    with app.app_context():
        lifecycle.change_status(
            db.session.get(Enrolment, enrolment_id), EnrolmentStatus.SUSPENDED, date(2026, 1, 1), None
        )
        db.session.commit()
    refused = post_form(
        admin, f"/learners/{world.learner_number}/enrol", data={"programme_version_id": str(world.master_new)}
    )
    assert refused.status_code == 422 and "“Suspended”" in refused.text


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_concurrent_enrolments_in_one_programme_leave_one(app):
    """Two administrators enrol the learner on two versions at the same time: the second waits on
    the index, then is refused in words; one enrolment in progress is left."""
    world = build_world(app)
    learner = learner_id(app, world.learner_number)
    ready, outcomes = threading.Barrier(2), {}

    def enrol(version_id):
        with app.test_request_context():
            version = db.session.get(ProgrammeVersion, version_id)
            ready.wait()
            try:
                lifecycle.enrol(learner, version, date(2026, 9, 1), None)
                if version_id == world.master_old:
                    time.sleep(0.5)  # the other one sees no row yet, inserts, and waits on the index
                db.session.commit()
                outcomes[version_id] = "enrolled"
            except lifecycle.AlreadyEnrolled:
                db.session.rollback()
                outcomes[version_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enrol, args=(v,)) for v in (world.master_old, world.master_new)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["enrolled", "refused"]
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    Enrolment.learner_id == learner, Enrolment.status == EnrolmentStatus.ACTIVE
                )
            )
            == 1
        )
