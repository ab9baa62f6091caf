"""Locking after the jury, corrections with a reason, append-only history, the version check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db
from lms.results import services
from lms.results.models import Result, ResultHistory
from lms.timetable.models import Offering
from tests.helpers import client_for, csrf_token
from tests.results.world import (
    build_world,
    history,
    results,
    save,
    set_jury,
    sheet_url,
)


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def locked(app, world):
    """Session 1 of the NFA031 offering published (12, absent, 8) and its jury yesterday."""
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    assert save(tutor, world.offering, {a: "12", b: "absent", c: "8"}, publish=True).status_code == 302
    set_jury(app, world.offering, 1, utcnow().date() - timedelta(days=1))
    return tutor


def correct(client, result_id: int, **values):
    page = client.get(f"/results/{result_id}/correct")
    assert page.status_code == 200, page.status_code
    version = page.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(page.text), "version": version, **values}
    return client.post(f"/results/{result_id}/correct", data=data)


def test_after_the_jury_the_sheet_is_read_only_and_results_are_locked(app, world, locked):
    a = world.registrations[0]
    page = locked.get(sheet_url(world.offering))
    assert page.status_code == 200 and 'name="grade-' not in page.text
    assert "Publié, verrouillé" in page.text
    result = results(app, [a])[a]
    # reading the sheet writes nothing
    assert not result.locked
    assert [row[0] for row in history(app, result.id)] == ["create", "publish"]
    # a tutor posting anyway changes nothing, and this first write locks the sheet
    response = locked.post(
        sheet_url(world.offering),
        data={
            "csrf_token": csrf_token(page.text),
            f"grade-{a}": "20",
            f"version-{a}": str(result.version),
            "save": "1",
        },
    )
    assert response.status_code == 302
    after = results(app, [a])[a]
    assert after.grade == Decimal(12) and after.locked
    assert [row[0] for row in history(app, result.id)] == ["create", "publish", "lock"]
    # locking again on the next write adds nothing
    token = csrf_token(locked.get(sheet_url(world.offering)).text)
    locked.post(sheet_url(world.offering), data={"csrf_token": token, f"grade-{a}": "20", "save": "1"})
    assert len(history(app, result.id)) == 3


def test_a_jury_date_set_in_the_past_locks_the_sheet_at_once(app, world):
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    assert save(tutor, world.offering, {a: "12"}, publish=True).status_code == 302
    director = client_for(app, "director@example.org")
    token = csrf_token(director.get(sheet_url(world.offering)).text)
    yesterday = utcnow().date() - timedelta(days=1)
    response = director.post(sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": str(yesterday)})
    assert response.status_code == 302
    result = results(app, [a])[a]
    assert result.locked
    assert [row[0] for row in history(app, result.id)] == ["create", "publish", "lock"]


def test_a_lock_that_loses_the_race_keeps_the_callers_transaction(app, world, locked, backend):
    """Another request locks the rows between this one's read and its write: theirs stands, and
    only the savepoint of this lock is undone, not what the caller did before."""
    a = world.registrations[0]
    later = utcnow().date() + timedelta(days=60)

    def other_request_locks_first(*_):  # right after this request read the rows
        with Session(db.engine) as other:
            other.scalar(sa.select(Result).where(Result.registration_id == a)).locked = True
            other.commit()

    with app.app_context():
        offering = db.session.get(Offering, world.offering)
        kept = offering.jury2_on
        if backend == "postgresql":  # SQLite has one writer at a time: the other would wait for ours
            offering.jury2_on = kept = later
            db.session.flush()
        sa.event.listen(db.session(), "loaded_as_persistent", other_request_locks_first, once=True)
        assert services.lock_sheet(offering, 1) == 0
        assert db.session().in_transaction()
        db.session.commit()
    with app.app_context():
        assert db.session.get(Offering, world.offering).jury2_on == kept
    result = results(app, [a])[a]
    assert result.locked and [row[0] for row in history(app, result.id)] == ["create", "publish"]


@pytest.mark.sqlite_only
def test_a_tutor_cannot_correct(app, world, locked):
    a = world.registrations[0]
    result = results(app, [a])[a]
    assert locked.get(f"/results/{result.id}/correct").status_code == 403
    assert client_for(app, "director2@example.org").get(f"/results/{result.id}/correct").status_code == 403


def test_a_director_corrects_with_a_reason(app, world, locked):
    a = world.registrations[0]
    director = client_for(app, "director@example.org")
    result = results(app, [a])[a]
    assert f"/results/{result.id}/correct" in director.get(sheet_url(world.offering)).text
    refused = correct(director, result.id, grade="14", reason="  ")
    assert refused.status_code == 422
    assert results(app, [a])[a].grade == Decimal(12)
    done = correct(director, result.id, grade="14,5", reason="Erreur de report de la copie")
    assert done.status_code == 302
    corrected = results(app, [a])[a]
    assert corrected.grade == Decimal("14.5") and corrected.locked and corrected.version > result.version
    action, old, new, source, reason, who = history(app, result.id)[-1]
    assert action == "correction" and old["grade"] == "12.00" and new["grade"] == "14.50"
    assert reason == "Erreur de report de la copie" and source == "sheet"
    with app.app_context():
        assert who == db.session.scalar(sa.select(User.id).where(User.email == "director@example.org"))


def test_an_admin_corrects_and_invalid_grades_are_refused(app, world, locked):
    c = world.registrations[2]
    admin = client_for(app, "admin@example.org")
    result = results(app, [c])[c]
    assert correct(admin, result.id, grade="21", reason="Erreur").status_code == 422
    assert correct(admin, result.id, grade="10", reason="Copie retrouvée").status_code == 302
    assert results(app, [c])[c].grade == Decimal(10)


def test_two_directors_correcting_the_same_result_the_second_gets_409(app, world, locked):
    a = world.registrations[0]
    result = results(app, [a])[a]
    first, second = client_for(app, "director@example.org"), client_for(app, "admin@example.org")
    stale = second.get(f"/results/{result.id}/correct").text
    assert correct(first, result.id, grade="15", reason="Copie recorrigée").status_code == 302
    version = stale.split('name="version" type="hidden" value="')[1].split('"')[0]
    conflict = second.post(
        f"/results/{result.id}/correct",
        data={
            "csrf_token": csrf_token(stale),
            "version": version,
            "grade": "9",
            "reason": "Autre erreur",
        },
    )
    assert conflict.status_code == 409 and "15" in conflict.text
    assert results(app, [a])[a].grade == Decimal(15)


def test_before_the_jury_directors_do_not_correct_and_a_correction_does_not_lock(app, world):
    """Before the jury the sheet's tutors correct (tests/results/test_publication_rules.py), not the
    director's page; a correction then needs a reason too, and leaves the result unlocked."""
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    save(tutor, world.offering, {a: "12"}, publish=True)
    result = results(app, [a])[a]
    director = client_for(app, "director@example.org")
    assert director.get(f"/results/{result.id}/correct").status_code == 302
    with app.app_context():
        row = db.session.get(Result, result.id)
        with pytest.raises(services.CorrectionRefused):
            services.correct_result(row, services.Value(grade=Decimal(13)), "  ", None)
        services.correct_result(row, services.Value(grade=Decimal(13)), "Copie recomptée", None)
        db.session.commit()
    after = results(app, [a])[a]
    assert after.grade == Decimal(13) and not after.locked
    assert history(app, result.id)[-1][0::4] == ("correction", "Copie recomptée")


def test_history_rows_are_appended_never_changed(app, world, locked):
    a = world.registrations[0]
    result = results(app, [a])[a]
    before = history(app, result.id)
    director = client_for(app, "director@example.org")
    correct(director, result.id, grade="13", reason="Barème revu")
    correct(director, result.id, grade="13,5", reason="Barème revu encore")
    after = history(app, result.id)
    assert after[: len(before)] == before
    assert [row[0] for row in after[len(before) :]] == ["correction", "correction"]
    with app.app_context():
        entry = db.session.scalars(sa.select(ResultHistory).where(ResultHistory.result_id == result.id)).first()
        entry.reason = "rewritten"
        with pytest.raises(Exception):  # noqa: B017 - the append-only guard refuses any update
            db.session.flush()
        db.session.rollback()


def test_a_stale_update_is_a_conflict_and_nothing_is_written(app, world):
    """The version column: a row changed by another transaction after it was read."""
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    save(tutor, world.offering, {a: "10"})
    with app.app_context():
        offering = db.session.get(Offering, world.offering)
        loaded = db.session.scalar(sa.select(Result).where(Result.registration_id == a))
        version = loaded.version
        with Session(db.engine) as other:  # another request saves the row meanwhile
            row = other.get(Result, loaded.id)
            row.grade = Decimal(16)
            other.commit()
        rows = [services.RowInput(a, grade="4", version=version)]
        with pytest.raises(services.VersionConflict) as conflict:
            services.save_sheet(offering, 1, rows, None, publish=False)
        assert conflict.value.registration_ids == [a]
        db.session.rollback()
    assert results(app, [a])[a].grade == Decimal(16)


def test_director_sets_the_jury_date_from_the_sheet_until_the_jury_has_met(app):
    world = build_world(app)
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get(sheet_url(world.offering)).text
    assert "/jury" not in page
    token = csrf_token(page)
    refused = tutor.post(sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": "2027-02-10"})
    assert refused.status_code == 403
    director = client_for(app, "director@example.org")
    token = csrf_token(director.get(sheet_url(world.offering)).text)
    assert (
        director.post(
            sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": "2027-02-10"}
        ).status_code
        == 302
    )
    yesterday = utcnow().date() - timedelta(days=1)
    director.post(sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": yesterday.isoformat()})
    moved = director.post(
        sheet_url(world.offering) + "/jury", data={"csrf_token": token, "jury_on": "2027-06-01"}, follow_redirects=True
    )
    assert moved.status_code == 200
    with app.app_context():
        assert db.session.get(Offering, world.offering).jury1_on == yesterday  # the jury that met stays
