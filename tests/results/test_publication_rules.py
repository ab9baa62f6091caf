"""Issue 11: a published result changes only through a correction (a reason, the learner told, the
history says who, when, old → new, why); publishing is confirmed with the count of learners, and
before the exam date only with an extra confirmation kept in the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.models import AuditEvent, AuditLog
from lms.core.time import utcnow
from lms.extensions import db
from lms.notifications.models import Notification
from lms.results import services
from lms.results.models import Result, ResultHistory, ResultStatus
from lms.timetable.models import Offering
from tests.helpers import client_for, csrf_token
from tests.results.world import (
    build_world,
    confirm_publication,
    history,
    publish_url,
    results,
    save,
    sheet_form,
    sheet_url,
)


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def published(app, world):
    """Session 1 of NFA031: A 12 published, B 13 as a draft, C not entered; the tutor's client."""
    tutor = client_for(app, "tutor@example.org")
    a, b, _ = world.registrations
    assert save(tutor, world.offering, {a: "12"}, publish=True).status_code == 302
    assert save(tutor, world.offering, {b: "13"}).status_code == 302
    return tutor


def corrected_url(world, result_id: int) -> str:
    return f"{sheet_url(world.offering)}/correct/{result_id}"


def notifications_of(app, email: str) -> int:
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user_id))


def set_exam(app, offering: int, session: int, day) -> None:
    with app.app_context():
        setattr(db.session.get(Offering, offering), f"exam{session}_on", day)
        db.session.commit()


def early_events(app) -> list[dict]:
    with app.app_context():
        return [
            row.details
            for row in db.session.scalars(
                sa.select(AuditLog).where(AuditLog.event == AuditEvent.RESULTS_PUBLISHED_EARLY).order_by(AuditLog.id)
            )
        ]


# --- a draft save never touches a published row ---------------------------------------------------------


def test_a_draft_save_with_a_changed_published_grade_leaves_it_and_says_so(app, world, published):
    a, b, _ = world.registrations
    before = results(app, [a])[a]
    page = published.get(sheet_url(world.offering)).text
    data = sheet_form(page, {b: "14"})
    data.update({f"grade-{a}": "20", f"version-{a}": str(before.version)})  # a page from before publication
    response = published.post(sheet_url(world.offering), data=data)
    assert response.status_code == 422
    assert f'id="error-{a}"' in response.text
    assert "Ce résultat est publié : corrigez-le, avec un motif" in response.text
    after = results(app, [a, b])
    assert after[a].grade == Decimal(12) and after[a].version == before.version
    assert after[b].grade == Decimal(13)  # all or nothing: the draft row waits too
    assert [row[0] for row in history(app, before.id)] == ["create", "publish"]


def test_the_sheet_shows_a_published_row_read_only_with_a_correct_link(app, world, published):
    a, b, _ = world.registrations
    result = results(app, [a])[a]
    page = published.get(sheet_url(world.offering)).text
    assert f'name="grade-{a}"' not in page and f'name="version-{a}"' not in page
    assert f'name="grade-{b}"' in page
    assert f'href="{corrected_url(world, result.id)}"' in page
    director = client_for(app, "director@example.org").get(sheet_url(world.offering)).text
    assert corrected_url(world, result.id) not in director  # directors correct after the jury


def test_every_writer_is_held_by_the_guard(app, world, published):
    """The service's one value writer refuses, and so does a flush from any other path."""
    a = world.registrations[0]
    with app.app_context():
        result = db.session.scalar(sa.select(Result).where(Result.registration_id == a))
        with pytest.raises(services.PublishedResultChange):
            services.apply_value(result, services.Value(grade=Decimal(5)), None)
        result.grade = Decimal(5)  # a script writing the column itself
        with pytest.raises(services.PublishedResultChange):
            db.session.flush()
        db.session.rollback()
        offering = db.session.get(Offering, world.offering)
        row = services.RowInput(a, grade="5", version=result.version)
        with pytest.raises(services.SheetRejected) as rejected:  # the import path writes through save_sheet
            services.save_sheet(offering, 1, [row], None, publish=False, source="import:csv")
        assert set(rejected.value.errors) == {a}
        db.session.rollback()
    assert results(app, [a])[a].grade == Decimal(12)


# --- the correction path -------------------------------------------------------------------------------


def test_a_tutor_corrects_a_published_result_with_a_reason_and_the_learner_is_told(app, world, published):
    a = world.registrations[0]
    result = results(app, [a])[a]
    told = notifications_of(app, "learner.a@example.org")
    page = published.get(corrected_url(world, result.id))
    assert page.status_code == 200
    version = page.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(page.text), "version": version, "grade": "15"}
    refused = published.post(corrected_url(world, result.id), data={**data, "reason": "   "})
    assert refused.status_code == 422 and results(app, [a])[a].grade == Decimal(12)
    done = published.post(corrected_url(world, result.id), data={**data, "reason": "Copie recomptée"})
    assert done.status_code == 302
    after = results(app, [a])[a]
    assert after.grade == Decimal(15) and after.status == ResultStatus.PUBLISHED and not after.locked
    action, old, new, source, reason, actor = history(app, result.id)[-1]
    with app.app_context():
        tutor_id = db.session.scalar(sa.select(User.id).where(User.email == "tutor@example.org"))
    assert (action, old["grade"], new["grade"], reason, actor) == (
        "correction",
        "12.00",
        "15.00",
        "Copie recomptée",
        tutor_id,
    )
    assert notifications_of(app, "learner.a@example.org") == told + 1
    other = client_for(app, "tutor2@example.org")
    assert other.get(corrected_url(world, result.id)).status_code == 403


def test_after_publication_the_history_never_has_an_empty_reason(app, world, published):
    a, b, c = world.registrations
    tutor = published
    save(tutor, world.offering, {c: "absent"}, publish=True)  # B 13 and C absent published
    result = results(app, [b])[b]
    page = tutor.get(corrected_url(world, result.id)).text
    tutor.post(
        corrected_url(world, result.id),
        data={"csrf_token": csrf_token(page), "version": str(result.version), "grade": "14", "reason": "Barème"},
    )
    stale = sheet_form(tutor.get(sheet_url(world.offering)).text, {})
    stale.update({f"grade-{c}": "8", f"version-{c}": str(results(app, [c])[c].version)})
    assert tutor.post(sheet_url(world.offering), data=stale).status_code == 422
    with app.app_context():
        rows = db.session.scalars(sa.select(ResultHistory).order_by(ResultHistory.id)).all()
        published_ids: set[int] = set()
        after_publication = []
        for row in rows:
            if row.result_id in published_ids:
                after_publication.append(row)
            if row.action.value == "publish":
                published_ids.add(row.result_id)
    assert published_ids and after_publication  # the check below checks something
    assert all(row.action.value in ("correction", "lock") for row in after_publication)
    assert all((row.reason or "").strip() for row in after_publication if row.action.value == "correction")


# --- publishing: a confirmation with the count, and the exam date ---------------------------------------


def test_publishing_asks_for_a_confirmation_with_the_count_of_learners(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    page = tutor.get(sheet_url(world.offering)).text
    asked = tutor.post(sheet_url(world.offering), data=sheet_form(page, {a: "12", b: "absent"}, publish=True))
    assert asked.status_code == 302 and asked.location.endswith(publish_url(world.offering))
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.DRAFT}
    confirm = tutor.get(publish_url(world.offering))
    assert confirm.status_code == 200
    assert "2 apprenants verront leur résultat et en seront avertis." in confirm.text
    assert 'name="confirm_early"' not in confirm.text  # the exam has taken place
    key = re.search(r'name="key" type="hidden" value="([^"]*)"', confirm.text).group(1)
    unticked = tutor.post(publish_url(world.offering), data={"csrf_token": csrf_token(confirm.text), "key": key})
    assert unticked.status_code == 422 and "Cochez la case pour confirmer la publication." in unticked.text
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.DRAFT}
    done = tutor.post(
        publish_url(world.offering), data={"csrf_token": csrf_token(confirm.text), "key": key, "confirm": "y"}
    )
    assert done.status_code == 302
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.PUBLISHED}
    assert early_events(app) == []
    assert tutor.get(publish_url(world.offering)).status_code == 302  # nothing left to publish


def test_the_confirmation_publishes_only_what_it_counted(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, _ = world.registrations
    save(tutor, world.offering, {a: "12"})
    confirm = tutor.get(publish_url(world.offering)).text
    assert "1 apprenant verra son résultat" in confirm
    save(client_for(app, "admin@example.org"), world.offering, {b: "9"})  # meanwhile, another draft
    key = re.search(r'name="key" type="hidden" value="([^"]*)"', confirm).group(1)
    response = tutor.post(
        publish_url(world.offering), data={"csrf_token": csrf_token(confirm), "key": key, "confirm": "y"}
    )
    assert response.status_code == 409 and "2 apprenants verront" in response.text
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.DRAFT}


def test_before_the_exam_date_publishing_needs_an_extra_confirmation_that_is_logged(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, _ = world.registrations
    exam = utcnow().date() + timedelta(days=3)
    set_exam(app, world.offering, 1, exam)
    save(tutor, world.offering, {a: "12", b: "7"})
    confirm = tutor.get(publish_url(world.offering)).text
    assert 'name="confirm_early"' in confirm and "n’a pas encore eu lieu" in confirm
    assert confirm_publication(tutor, world.offering).status_code == 422  # the usual box only
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.DRAFT}
    assert early_events(app) == []
    assert confirm_publication(tutor, world.offering, early=True).status_code == 302
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.PUBLISHED}
    with app.app_context():
        tutor_id = db.session.scalar(sa.select(User.id).where(User.email == "tutor@example.org"))
        (event,) = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.event == AuditEvent.RESULTS_PUBLISHED_EARLY)
        ).all()
        assert event.user_id == tutor_id
        assert event.details == {
            "offering": world.offering,
            "unit": "NFA031",
            "session": 1,
            "exam_on": exam.isoformat(),
            "results": 2,
        }


def test_the_services_refuse_an_early_publication_without_the_confirmation(app, world):
    a = world.registrations[0]
    set_exam(app, world.offering, 1, utcnow().date() + timedelta(days=1))
    with app.app_context():
        offering = db.session.get(Offering, world.offering)
        with pytest.raises(services.PublicationTooEarly):
            services.save_sheet(offering, 1, [services.RowInput(a, grade="12")], None, publish=True)
        assert db.session.scalar(sa.select(sa.func.count(Result.id))) == 0
        services.save_sheet(offering, 1, [services.RowInput(a, grade="12")], None, publish=False)
        with pytest.raises(services.PublicationTooEarly):
            services.publish_sheet(offering, 1, None)
        assert services.to_publish(offering, 1)[0].status == ResultStatus.DRAFT
        on_the_day = utcnow().date() + timedelta(days=1)
        assert [r.registration_id for r in services.publish_sheet(offering, 1, None, today=on_the_day)] == [a]
        db.session.commit()
    assert early_events(app) == []  # on the exam day it is not early


@pytest.mark.sqlite_only
def test_the_confirmation_page_is_for_those_who_edit_the_sheet(app, world):
    save(client_for(app, "tutor@example.org"), world.offering, {world.registrations[0]: "12"})
    assert client_for(app, "tutor2@example.org").get(publish_url(world.offering)).status_code == 403
    assert client_for(app, "director@example.org").get(publish_url(world.offering)).status_code == 403
    assert client_for(app, "admin@example.org").get(publish_url(world.offering)).status_code == 200
    assert client_for(app, "tutor@example.org").get(publish_url(world.offering, 3)).status_code == 404


def test_the_database_refuses_a_correction_without_a_reason(app, world, published):
    a = world.registrations[0]
    result = results(app, [a])[a]
    with app.app_context():
        for reason in (None, "  "):
            db.session.add(
                ResultHistory(
                    result_id=result.id,
                    action="correction",
                    new_value={"grade": "15.00"},
                    source="sheet",
                    reason=reason,
                )
            )
            with pytest.raises(sa.exc.IntegrityError):
                db.session.flush()
            db.session.rollback()


# --- dates that make sense -----------------------------------------------------------------------------


def test_a_jury_date_before_the_exam_is_refused_with_a_clear_message(app, world):
    exam = utcnow().date() + timedelta(days=10)
    set_exam(app, world.offering, 1, exam)
    director = client_for(app, "director@example.org")
    token = csrf_token(director.get(sheet_url(world.offering)).text)
    with app.app_context():
        before = db.session.get(Offering, world.offering).jury1_on
    day_before = (exam - timedelta(days=1)).isoformat()
    refused = director.post(
        sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": day_before}, follow_redirects=True
    )
    assert "Le jury ne peut pas se réunir avant l’examen de cette session" in refused.text
    with app.app_context():
        assert db.session.get(Offering, world.offering).jury1_on == before
    director.post(sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": exam.isoformat()})
    with app.app_context():
        assert db.session.get(Offering, world.offering).jury1_on == exam  # the exam day itself is fine
