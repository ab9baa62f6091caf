"""Administrators manage intakes: create, edit, rules on dates, capacity and duplicates."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Intake
from lms.timetable.models import Centre
from tests.helpers import client_for
from tests.intakes.world import (
    build_world,
    post_form,
    submitted_application,
)


def intake_form(app, world, **overrides):
    today = utcnow().date()
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre.id))
    data = {
        "programme_version_id": str(world.master_new),
        "academic_year": str(academic_year(today + timedelta(days=60))),
        "centre_id": str(centre),
        "modality": "foad",
        "capacity": "25",
        "applications_open_on": today.isoformat(),
        "applications_close_on": (today + timedelta(days=30)).isoformat(),
        "starts_on": (today + timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.sqlite_only
def test_create_and_edit_an_intake(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    created = post_form(admin, "/admin/intakes/new", data=intake_form(app, world))
    assert created.status_code == 303
    with app.app_context():
        intake = db.session.scalar(sa.select(Intake).where(Intake.programme_version_id == world.master_new))
        assert intake.capacity == 25 and intake.modality.value == "foad"
        ident = intake.id
    edited = post_form(admin, f"/admin/intakes/{ident}/edit", data=intake_form(app, world, capacity=""))
    assert edited.status_code == 303
    with app.app_context():
        assert db.session.get(Intake, ident).capacity is None
    listing = admin.get("/admin/intakes/")
    assert listing.status_code == 200 and "MR12202A 2025" in listing.text


@pytest.mark.sqlite_only
def test_intake_rules(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    today = utcnow().date()
    backwards = post_form(
        admin,
        "/admin/intakes/new",
        data=intake_form(app, world, applications_close_on=(today - timedelta(days=1)).isoformat()),
    )
    assert backwards.status_code == 422 and "close on or after" in backwards.text
    zero = post_form(admin, "/admin/intakes/new", data=intake_form(app, world, capacity="0"))
    assert zero.status_code == 422
    assert post_form(admin, "/admin/intakes/new", data=intake_form(app, world)).status_code == 303
    duplicate = post_form(admin, "/admin/intakes/new", data=intake_form(app, world))
    assert duplicate.status_code == 422 and "already exists" in duplicate.text
    # Once candidates applied, the programme version of an intake stays.
    submitted_application(app, "candidate1@example.org", world.master_intake)
    change = post_form(
        admin,
        f"/admin/intakes/{world.master_intake}/edit",
        data=intake_form(
            app,
            world,
            programme_version_id=str(world.certificate),
            modality="hybride_soir",
        ),
    )
    assert change.status_code == 422 and "can no longer change" in change.text


@pytest.mark.sqlite_only
def test_who_manages_intakes(app):
    world = build_world(app)
    anonymous = app.test_client()
    assert anonymous.get("/admin/intakes/").status_code == 302
    assert anonymous.get("/intakes").status_code == 200  # public: people browse the intakes before signing up
    assert anonymous.get("/signup").status_code == 200
    for email in ("director@example.org", "tutor@example.org", "candidate1@example.org"):
        client = client_for(app, email)
        assert client.get("/admin/intakes/new").status_code == 403
        assert client.get(f"/admin/intakes/{world.master_intake}/edit").status_code == 403


@pytest.mark.sqlite_only
def test_an_intake_starts_within_its_academic_year_after_applications_close(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    start = utcnow().date() + timedelta(days=60)
    wrong_year = post_form(
        admin, "/admin/intakes/new", data=intake_form(app, world, academic_year=str(academic_year(start) + 1))
    )
    assert wrong_year.status_code == 422
    first = academic_year(start) + 1
    assert f"An intake of the academic year {first}-{first + 1} starts between" in wrong_year.text
    late_close = post_form(
        admin,
        "/admin/intakes/new",
        data=intake_form(app, world, applications_close_on=(start + timedelta(days=1)).isoformat()),
    )
    assert late_close.status_code == 422 and "close on or before the day the intake starts" in late_close.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Intake.id))) == 2  # the world's two, nothing added


def test_the_service_refuses_an_intake_outside_its_academic_year(app):
    from lms.intakes.services import IntakeRuleError
    from lms.intakes.services.intakes import IntakeInput, save_intake
    from lms.timetable.models import Modality

    world = build_world(app)
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre.id))
        data = IntakeInput(
            programme_version_id=world.master_new,
            academic_year=2026,
            centre_id=centre,
            modality=Modality.FOAD,
            capacity=None,
            applications_open_on=date(2026, 3, 1),
            applications_close_on=date(2026, 6, 30),
            starts_on=date(2027, 10, 1),
        )
        with pytest.raises(IntakeRuleError) as refused:
            save_intake(None, data)
        assert refused.value.field == "starts_on"
        saved = save_intake(None, dataclasses.replace(data, starts_on=date(2026, 10, 1)))
        assert saved.academic_year == 2026
        db.session.rollback()
