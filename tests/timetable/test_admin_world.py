"""A small world shared by the administrators' timetable tests (imported by the other
``test_admin_*`` modules), and a check that it builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts.models import Role, User
from lms.catalog.models import Unit, UnitKind
from lms.extensions import db
from lms.notifications.models import Notification
from lms.timetable.models import (
    Centre,
    Meeting,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)
from tests.helpers import csrf_token, make_user

BASE = "/admin/timetable"


@dataclass
class AdminWorld:
    offering: int  # NFA031 2026 S1 FOAD at PAR, capacity 2, tutor One; A and B registered, C waitlisted
    paris: int
    cayenne: int
    tutors: list[int]
    learners: dict[str, int]  # email -> user id


def build_admin_world(app: Flask) -> AdminWorld:
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin", locale="en")
    tutors = [
        make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor One"),
        make_user(app, "tutor2@example.org", [Role.TUTOR], name="Tutor Two"),
    ]
    learners = {
        email: make_user(app, email, [Role.LEARNER], name=f"Learner {email[8].upper()}")
        for email in (
            "learner.a@example.org",
            "learner.b@example.org",
            "learner.c@example.org",
        )
    }
    with app.app_context():
        units = [
            Unit(code="NFA031", title="Programmation", ects=Decimal(6), kind=UnitKind.UE),
            Unit(
                code="NFA032",
                title="Programmation 2",
                ects=Decimal(6),
                kind=UnitKind.UE,
            ),
        ]
        paris = Centre(code="PAR", name="Cnam Paris", city="Paris", timezone="Europe/Paris")
        cayenne = Centre(code="CAY", name="Cnam Guyane", city="Cayenne", timezone="America/Cayenne")
        offering = Offering(
            unit=units[0],
            academic_year=2026,
            semester=Semester.S1,
            modality=Modality.FOAD,
            centre=paris,
            capacity=2,
            registration_opens_on=date(2026, 6, 1),
            registration_closes_on=date(2026, 10, 15),
        )
        offering.tutors = [db.session.get(User, tutors[0])]
        db.session.add_all([*units, paris, cayenne, offering])
        db.session.flush()
        for index, user_id in enumerate(learners.values()):
            user = db.session.get(User, user_id)
            db.session.add(
                Registration(
                    learner=user.learner,
                    offering=offering,
                    status=RegistrationStatus.WAITLISTED if index == 2 else RegistrationStatus.REGISTERED,
                )
            )
        db.session.commit()
        return AdminWorld(offering.id, paris.id, cayenne.id, tutors, learners)


def post_form(client: FlaskClient, path: str, data: dict, page: str | None = None):
    """POST ``data`` to ``path`` with the CSRF token of the page at ``page`` (default: ``path``)."""
    html = client.get(page or path).text
    return client.post(path, data={"csrf_token": csrf_token(html), **data})


def count(app: Flask, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0


def notifications(app: Flask, kind: str) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            (row.user_id, row.title, row.body)
            for row in db.session.scalars(
                sa.select(Notification).where(Notification.kind == kind).order_by(Notification.user_id)
            )
        ]


def meetings_of(app: Flask, offering_id: int) -> list[Meeting]:
    with app.app_context():
        rows = list(
            db.session.scalars(sa.select(Meeting).where(Meeting.offering_id == offering_id).order_by(Meeting.starts_at))
        )
        db.session.expunge_all()
        return rows


def test_the_world_builds(app):
    world = build_admin_world(app)
    assert count(app, Offering) == 1
    assert count(app, Registration, Registration.offering_id == world.offering) == 3
