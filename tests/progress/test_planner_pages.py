"""The planner with the database: pages under /me/plan, saving, re-checking saved plans when the
catalogue or results change (one "plan no longer works" notice), registration-window notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.notifications.models import Notification
from lms.progress import study_plans as planning
from lms.progress.audit.planner import Preferences
from lms.progress.audit.records import ResultEntry
from lms.progress.models import StudyPlan
from lms.timetable.models import Modality, Offering, Semester
from tests.helpers import csrf_token, login

PASSWORD = "demo-lms-2026"
EMAIL = "apprenant@example.org"
TODAY = date(2026, 11, 22)


def enrolment_of(code: str) -> Enrolment:
    return db.session.scalar(
        sa.select(Enrolment)
        .join(Learner, Enrolment.learner_id == Learner.id)
        .join(User, Learner.user_id == User.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(User.email == EMAIL, Programme.code == code)
    )


def notices(kind: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.kind == kind))


def saved_plan() -> StudyPlan:
    """A saved plan for the first enrolment of the master the demo can plan (all modalities)."""
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Programme.code == "MR12202A")
        .order_by(Enrolment.id)
    )
    for enrolment in enrolments:
        proposal = planning.propose(enrolment, Preferences("units", 2), today=TODAY).plan
        if proposal.works and proposal.terms:
            return planning.save_plan(enrolment, proposal, [], [])
    raise AssertionError("no plannable enrolment in the demo")


def test_pages_propose_and_save(demo_app):
    client = demo_app.test_client()
    assert client.get("/me/plan").status_code == 302  # anonymous: to the login page
    with demo_app.app_context():
        saved = saved_plan()
        enrolment_id, learner_id = saved.enrolment_id, saved.enrolment.learner_id
        email = saved.enrolment.learner.user.email
        saved.enrolment.learner.user.locale = "en"  # the assertions below read English
        db.session.delete(saved)
        db.session.commit()
        other = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.learner_id != learner_id))
    login(client, email, PASSWORD)
    page = client.get("/me/plan")
    assert (
        page.status_code == 200
        and "MR12202A" in page.text
        and ("No saved plan yet" in page.text or "Aucun plan enregistré" in page.text)
    )
    assert client.get(f"/me/plan/{other}").status_code == 404  # someone else's enrolment
    page = client.get(
        f"/me/plan/{enrolment_id}?pace_kind=units&pace=2&modalities=foad&modalities=hybride_soir"
        "&modalities=distance_planifiee_soir&modalities=presentiel_soir"
    )
    assert page.status_code == 200 and "<caption" in page.text
    everything = "&".join(
        f"modalities={m}"
        for m in (
            "presentiel_jour",
            "presentiel_soir",
            "hybride_jour",
            "hybride_soir",
            "foad",
            "distance_planifiee_jour",
            "distance_planifiee_soir",
        )
    )
    query = f"pace_kind=units&pace=2&{everything}"
    page = client.get(f"/me/plan/{enrolment_id}?{query}")
    assert "Projected completion" in page.text and "Save this plan" in page.text
    response = client.post(f"/me/plan/{enrolment_id}/save", data={"csrf_token": csrf_token(page.text), "params": query})
    assert response.status_code == 302
    with demo_app.app_context():
        assert planning.plan_for(enrolment_id).works
    page = client.get(f"/me/plan/{enrolment_id}")
    assert "It works" in page.text
    assert "It works" not in client.get("/me/plan").text and "Saved plan: completion" in client.get("/me/plan").text
    bad = client.get(f"/me/plan/{enrolment_id}?pace_kind=units&pace=0.5")
    assert bad.status_code == 200 and "whole number" in bad.text
    assert client.post(f"/me/plan/{enrolment_id}/save", data={"params": ""}).status_code == 400  # no CSRF
    page = client.get(f"/me/plan/{enrolment_id}")
    response = client.post(f"/me/plan/{enrolment_id}/delete", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    with demo_app.app_context():
        assert planning.plan_for(enrolment_id) is None


def test_recheck_after_offering_moves_and_after_a_result(demo_app):
    with demo_app.app_context():
        saved = saved_plan()
        learner_id = saved.enrolment.learner_id
        assert planning.recheck_plans([learner_id], as_of=TODAY) == 0 and saved.works
        # A result making a planned unit validated: the plan still works.
        entry = next(u for term in saved.schedule for u in term["units"] if not u["activity"])
        record = planning.learner_record(saved.enrolment.learner, TODAY)
        record = type(record)(
            record.learner,
            None,
            record.results + (ResultEntry(entry["code"], Decimal(14), None, TODAY, 1),),
            record.credits,
            record.exceptions,
        )
        assert planning.recheck_plans([learner_id], as_of=TODAY, records={learner_id: record}) == 0 and saved.works
        # A catalogue change: the planned offering moves to a semester that is over.
        published = next(
            (u for term in saved.schedule for u in term["units"] if u["offering_id"] and not u["assumed"]), None
        )
        if published is not None:
            offering = db.session.get(Offering, published["offering_id"])
            offering.semester = Semester.S1 if offering.semester != Semester.S1 else Semester.S2
            offering.academic_year = 2025
        else:  # every offering assumed (registered units fill the first term): the unit stops being
            # taught in the planned mode (moved to a mode it had nowhere: no offering collides)
            unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == entry["code"]))
            modes = set(db.session.scalars(sa.select(Offering.modality).where(Offering.unit_id == unit_id)))
            other = next(mode for mode in Modality if mode not in modes)
            db.session.execute(
                sa.update(Offering)
                .where(Offering.unit_id == unit_id, Offering.modality == Modality(entry["modality"]))
                .values(modality=other)
            )
        db.session.flush()
        before = notices("plan_broken")
        assert planning.recheck_plans([learner_id], as_of=TODAY) == 1
        assert not saved.works and saved.problems
        assert notices("plan_broken") == before + 1
        assert planning.recheck_plans([learner_id], as_of=TODAY) == 0  # told once
        assert notices("plan_broken") == before + 1


def test_refresh_hook_rechecks(demo_app):
    from lms.progress.services import refresh_progress

    with demo_app.app_context():
        saved = saved_plan()
        saved.schedule = [
            dict(term, units=[dict(u, offering_id=999999, assumed=False) for u in term["units"]])
            for term in saved.schedule
        ]
        db.session.flush()
        planning.lms_progress_refreshed(records={}, catalog=None, as_of=TODAY, bulk=True)  # nobody: no-op
        refresh_progress([saved.enrolment.learner_id], TODAY)
        db.session.refresh(saved)
        # Registered once the lead wires the hook in plugin.py; the direct call works either way.
        planning.lms_progress_refreshed(
            records={saved.enrolment.learner_id: planning.learner_record(saved.enrolment.learner, TODAY)},
            catalog=planning.catalogue_from_database(),
            as_of=TODAY,
            bulk=False,
        )
        assert not saved.works


def test_notify_windows_once(demo_app):
    with demo_app.app_context():
        saved = saved_plan()
        entry = next(
            (u for term in saved.schedule for u in term["units"] if u["offering_id"] and not u["assumed"]), None
        )
        if entry is None:
            return
        offering = db.session.get(Offering, entry["offering_id"])
        offering.registration_opens_on = TODAY
        offering.registration_closes_on = date(2027, 1, 31)
        db.session.flush()
        before = notices("plan_registration_open")
        sent = planning.notify_opening_windows(TODAY)
        assert sent >= 1 and notices("plan_registration_open") == before + sent
        assert planning.notify_opening_windows(TODAY) == 0  # idempotent
        assert any(u.get("announced") for term in saved.schedule for u in term["units"])
