"""Reviewers' decisions: acceptance creates the learner and the enrolment in one transaction,
capacity and the waiting list, bulk decisions, notifications, the plugin event, and who may decide."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, format_date

from lms.accounts.models import Learner, Role, User
from lms.extensions import db
from lms.intakes.models import (
    Application,
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
)
from lms.notifications.models import Notification
from lms.progress.models import ProgressSnapshot
from tests.helpers import client_for, csrf_token
from tests.intakes.world import (
    build_world,
    post_form,
    submitted_application,
)

LEARNER_NUMBER = r"^\d{6}[A-Z]$"


def decide_one(client, application_id, decision, reason=""):
    return post_form(
        client,
        f"/admin/intakes/applications/{application_id}",
        f"/admin/intakes/applications/{application_id}/decide",
        data={"decision": decision, "reason": reason},
    )


def decide_many(client, intake_id, ids, decision, reason=""):
    page = client.get(f"/admin/intakes/{intake_id}")
    return client.post(
        f"/admin/intakes/{intake_id}/decide",
        data={
            "csrf_token": csrf_token(page.text),
            "application_ids": [str(i) for i in ids],
            "bulk-decision": decision,
            "bulk-reason": reason,
        },
    )


def status_of(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).status


def test_accepting_creates_the_learner_the_enrolment_and_the_audit(app):
    import re

    world = build_world(app)
    application_id = submitted_application(app, "candidate1@example.org", world.master_intake)
    admin = client_for(app, "admin@example.org")
    response = decide_one(admin, application_id, "accept", "Welcome")
    assert response.status_code == 303, response.text[:1000]
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        assert Role.LEARNER in user.roles
        assert re.match(LEARNER_NUMBER, user.learner.learner_number)
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.learner_id == user.learner.id))
        assert enrolment.programme_version_id == world.master_old
        assert enrolment.intake_id == world.master_intake and enrolment.status is EnrolmentStatus.ACTIVE
        assert db.session.scalar(sa.select(ProgressSnapshot).where(ProgressSnapshot.enrolment_id == enrolment.id))
        application = db.session.get(Application, application_id)
        assert application.status is ApplicationStatus.ACCEPTED and application.decision_reason == "Welcome"
        assert application.decided_at is not None and application.decided_by_id is not None
        note = db.session.scalar(sa.select(Notification).where(Notification.user_id == user.id))
        assert note is not None and note.kind == "application_decided"
        # The start date in the candidate's language, not ISO, then the director's own words.
        with force_locale(user.locale or "fr"):
            start = format_date(enrolment.intake.starts_on, "long")
        assert note.body.endswith(f" {start}. Welcome") and "-" not in start
    # The new learner's home shows the programme.
    learner = client_for(app, "candidate1@example.org")
    assert "MR12202A" in learner.get("/").text


def test_a_failure_while_accepting_rolls_everything_back(app, monkeypatch):
    world = build_world(app)
    application_id = submitted_application(app, "candidate1@example.org", world.master_intake)
    admin = client_for(app, "admin@example.org")
    page = admin.get(f"/admin/intakes/applications/{application_id}")

    def broken(*args, **kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr("lms.progress.services.refresh_progress", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = admin.post(
        f"/admin/intakes/applications/{application_id}/decide",
        data={"csrf_token": csrf_token(page.text), "decision": "accept", "reason": ""},
    )
    assert response.status_code == 500
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        assert user.roles == frozenset()
        assert db.session.scalar(sa.select(sa.func.count(Learner.id)).where(Learner.user_id == user.id)) == 0
        assert (
            db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(Enrolment.intake_id == world.master_intake))
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user.id)) == 0
        assert db.session.get(Application, application_id).status is ApplicationStatus.SUBMITTED


def test_capacity_and_the_waiting_list(app):
    world = build_world(app)
    first = submitted_application(app, "candidate1@example.org", world.master_intake, submitted_days_ago=3)
    second = submitted_application(app, "candidate2@example.org", world.master_intake, submitted_days_ago=2)
    third = submitted_application(app, "candidate3@example.org", world.master_intake, submitted_days_ago=1)
    admin = client_for(app, "admin@example.org")
    # Three acceptances for two places: refused as a whole.
    refused = decide_many(admin, world.master_intake, [first, second, third], "accept")
    assert refused.status_code == 422 and "place" in refused.text
    assert {status_of(app, i) for i in (first, second, third)} == {ApplicationStatus.SUBMITTED}
    assert decide_many(admin, world.master_intake, [first, second], "accept").status_code == 303
    full = decide_one(admin, third, "accept")
    assert full.status_code == 422 and "waiting list" in full.text
    assert decide_one(admin, third, "waitlist", "Full").status_code == 303
    assert status_of(app, third) is ApplicationStatus.WAITLISTED
    assert "oldest candidate on the waiting list" not in admin.get(f"/admin/intakes/{world.master_intake}").text
    # An accepted candidate withdraws: their enrolment ends and the queue points at the oldest waitlisted.
    candidate = client_for(app, "candidate1@example.org")
    assert post_form(candidate, f"/applications/{first}", f"/applications/{first}/withdraw").status_code == 303
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.learner_id == user.learner.id))
        assert enrolment.status is EnrolmentStatus.WITHDRAWN and enrolment.ended_on is not None
    queue = admin.get(f"/admin/intakes/{world.master_intake}")
    assert "oldest candidate on the waiting list is Candidate 3" in queue.text
    assert decide_one(admin, third, "accept").status_code == 303
    assert status_of(app, third) is ApplicationStatus.ACCEPTED


@pytest.mark.sqlite_only
def test_a_flagged_application_cannot_be_accepted(app):
    world = build_world(app)
    flagged = submitted_application(app, "candidate1@example.org", world.master_intake, prior_level=5)
    vapp = submitted_application(app, "candidate2@example.org", world.master_intake, prior_level=5, vapp=True)
    admin = client_for(app, "admin@example.org")
    response = decide_one(admin, flagged, "accept")
    assert response.status_code == 422 and "entry level" in response.text
    assert status_of(app, flagged) is ApplicationStatus.SUBMITTED
    assert decide_one(admin, vapp, "accept").status_code == 303


@pytest.mark.sqlite_only
def test_rejection_needs_a_reason_and_notifies(app):
    world = build_world(app)
    application_id = submitted_application(app, "candidate1@example.org", world.certificate_intake)
    admin = client_for(app, "admin@example.org")
    assert decide_one(admin, application_id, "reject").status_code == 422
    assert decide_one(admin, application_id, "reject", "Incomplete file").status_code == 303
    candidate = client_for(app, "candidate1@example.org")
    page = candidate.get(f"/applications/{application_id}")
    assert "Not accepted" in page.text and "Incomplete file" in page.text
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        assert user.learner is None
        assert (
            db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == user.id))
            == "application_decided"
        )
    # Decided is decided: a rejected application cannot be put on the waiting list.
    assert decide_one(admin, application_id, "waitlist").status_code == 422


@pytest.mark.sqlite_only
def test_the_plugin_event_follows_each_decision(app, monkeypatch):
    world = build_world(app)
    ids = [submitted_application(app, f"candidate{i}@example.org", world.certificate_intake) for i in (1, 2)]
    seen = []
    fake = SimpleNamespace(
        hook=SimpleNamespace(
            lms_application_decided=lambda application: seen.append((application.id, application.status))
        )
    )
    monkeypatch.setattr("lms.intakes.services.applications.plugin_manager", lambda: fake)
    admin = client_for(app, "admin@example.org")
    assert decide_many(admin, world.certificate_intake, ids, "waitlist").status_code == 303
    assert sorted(seen) == [(ids[0], ApplicationStatus.WAITLISTED), (ids[1], ApplicationStatus.WAITLISTED)]


@pytest.mark.sqlite_only
def test_directors_review_only_their_programmes(app):
    world = build_world(app)
    master = submitted_application(app, "candidate1@example.org", world.master_intake)
    certificate = submitted_application(app, "candidate2@example.org", world.certificate_intake)
    director = client_for(app, "director@example.org")
    index = director.get("/admin/intakes/")
    assert "MR12202A" in index.text and "CC0400A" not in index.text
    assert director.get(f"/admin/intakes/{world.master_intake}").status_code == 200
    assert director.get(f"/admin/intakes/{world.certificate_intake}").status_code == 403
    assert director.get(f"/admin/intakes/applications/{certificate}").status_code == 403
    page = director.get(f"/admin/intakes/{world.master_intake}")
    forbidden = director.post(
        f"/admin/intakes/applications/{certificate}/decide",
        data={"csrf_token": csrf_token(page.text), "decision": "accept"},
    )
    assert forbidden.status_code == 403
    assert status_of(app, certificate) is ApplicationStatus.SUBMITTED
    assert decide_one(director, master, "accept").status_code == 303
    # Directors do not create intakes; tutors and learners do not review.
    assert director.get("/admin/intakes/new").status_code == 403
    for email in ("tutor@example.org", "learner@example.org"):
        other = client_for(app, email)
        assert other.get("/admin/intakes/").status_code == 403
        assert other.get(f"/admin/intakes/applications/{master}").status_code == 403


@pytest.mark.sqlite_only
def test_drafts_are_not_in_the_queue(app):
    world = build_world(app)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        db.session.add(Application(candidate=user, intake_id=world.master_intake, prior_level=6))
        db.session.commit()
    admin = client_for(app, "admin@example.org")
    assert "Candidate 1" not in admin.get(f"/admin/intakes/{world.master_intake}").text


def test_two_reviewers_racing_for_the_last_place(app):
    import threading
    import time

    from lms.core.time import utcnow
    from lms.intakes.services import IntakeRuleError
    from lms.intakes.services.applications import Decision, decide

    world = build_world(app)
    first = submitted_application(app, "candidate1@example.org", world.master_intake)
    racing = [submitted_application(app, f"candidate{i}@example.org", world.master_intake) for i in (2, 3)]
    admin = client_for(app, "admin@example.org")
    assert decide_one(admin, first, "accept").status_code == 303  # one place left
    start = threading.Barrier(2)
    outcome: dict[int, str] = {}
    errors: list[BaseException] = []

    def accept(application_id: int) -> None:
        try:
            start.wait(timeout=30)
            with app.app_context():
                actor = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
                application = db.session.get(Application, application_id)
                try:
                    decide(actor, [application], Decision.ACCEPT, None, utcnow().date())
                    db.session.commit()
                    outcome[application_id] = "accepted"
                except IntakeRuleError:
                    db.session.rollback()
                    outcome[application_id] = "refused"
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def slow_down(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT COUNT(APPLICATIONS.ID)"):
            time.sleep(0.3)  # widen the race between counting and writing

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", slow_down)
    try:
        threads = [threading.Thread(target=accept, args=(ident,)) for ident in racing]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sa.event.remove(engine, "after_cursor_execute", slow_down)
    assert errors == []
    assert sorted(outcome.values()) == ["accepted", "refused"]
    with app.app_context():
        accepted = db.session.scalar(
            sa.select(sa.func.count(Application.id)).where(
                Application.intake_id == world.master_intake, Application.status == ApplicationStatus.ACCEPTED
            )
        )
        assert accepted == 2


@pytest.mark.sqlite_only
def test_an_existing_learner_is_enrolled_without_a_new_profile(app):
    world = build_world(app)
    application_id = submitted_application(app, "learner@example.org", world.certificate_intake)
    admin = client_for(app, "admin@example.org")
    assert decide_one(admin, application_id, "accept").status_code == 303
    with app.app_context():
        learners = list(db.session.scalars(sa.select(Learner).join(User).where(User.email == "learner@example.org")))
        assert [learner.learner_number for learner in learners] == [world.learner_number]
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.learner_id == learners[0].id))
        assert enrolment.programme_version_id == world.certificate and enrolment.intake_id == world.certificate_intake
