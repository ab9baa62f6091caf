"""A small world for the intakes tests: a master with two versions (entry level 6) directed by one
director, a certificate directed by another, a centre, two intakes open today, an administrator,
candidates without any role and an existing learner holding a credit."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts.models import Role, User
from lms.catalog.models import (
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    Unit,
    UnitKind,
)
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Intake
from lms.results.models import Credit, CreditSource
from lms.timetable.models import Centre, Modality
from tests.helpers import csrf_token, make_user


@dataclass
class World:
    master_intake: int  # MR12202A 2024, capacity 2, entry level 6
    certificate_intake: int  # CC0400A, no capacity, no entry level
    master_old: int  # version ids
    master_new: int
    certificate: int
    learner_number: str  # the existing learner (credit on NFA001)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_world(app: Flask) -> World:
    """Everybody reads English here, so that the tests do not depend on the French catalogue."""
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin", locale="en")
    make_user(app, "director@example.org", [Role.DIRECTOR], name="Director Master", locale="en")
    make_user(app, "director2@example.org", [Role.DIRECTOR], name="Director Certificate", locale="en")
    make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor", locale="en")
    for index in range(1, 5):
        make_user(app, f"candidate{index}@example.org", [], name=f"Candidate {index}", locale="en")
    make_user(app, "learner@example.org", [Role.LEARNER], name="Existing Learner", locale="en")
    today = utcnow().date()
    with app.app_context():
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        units = [
            Unit(code=code, title=f"Unit {code}", ects=Decimal(6), kind=UnitKind.UE)
            for code in ("NFA001", "NFA002", "NFA003")
        ]
        master = Programme(code="MR12202A")
        master.directors = [users["director@example.org"]]
        certificate = Programme(code="CC0400A")
        certificate.directors = [users["director2@example.org"]]
        old = ProgrammeVersion(
            programme=master,
            version="2024",
            title="Master informatique",
            kind=ProgrammeKind.MASTER,
            entry_level=6,
            level=7,
            nominal_ects=Decimal(12),
            requirements={"all": [{"unit": "NFA001"}, {"unit": "NFA002"}]},
        )
        new = ProgrammeVersion(
            programme=master,
            version="2025",
            title="Master informatique",
            kind=ProgrammeKind.MASTER,
            entry_level=6,
            level=7,
            nominal_ects=Decimal(12),
            requirements={"all": [{"unit": "NFA001"}, {"unit": "NFA003"}]},
        )
        cert = ProgrammeVersion(
            programme=certificate,
            version="2024",
            title="Certificat",
            kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
            nominal_ects=Decimal(6),
            requirements={"all": [{"unit": "NFA003"}]},
        )
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris")
        db.session.add_all([*units, master, certificate, old, new, cert, centre])
        db.session.flush()
        master_intake = Intake(
            programme_version=old,
            academic_year=today.year,
            centre=centre,
            modality=Modality.HYBRIDE_SOIR,
            capacity=2,
            applications_open_on=today - timedelta(days=10),
            applications_close_on=today + timedelta(days=10),
            starts_on=today + timedelta(days=30),
        )
        cert_intake = Intake(
            programme_version=cert,
            academic_year=today.year,
            centre=centre,
            modality=Modality.FOAD,
            capacity=None,
            applications_open_on=today - timedelta(days=10),
            applications_close_on=today + timedelta(days=10),
            starts_on=today + timedelta(days=30),
        )
        db.session.add_all([master_intake, cert_intake])
        learner = users["learner@example.org"].learner
        db.session.add(
            Credit(
                learner=learner,
                unit=units[0],
                source=CreditSource.DISPENSE,
                granted_on=today,
                reason="Earlier studies",
                decided_by_id=users["admin@example.org"].id,
            )
        )
        db.session.commit()
        return World(master_intake.id, cert_intake.id, old.id, new.id, cert.id, learner.learner_number)


def post_form(client: FlaskClient, page_url: str, url: str | None = None, data: dict | None = None, **kwargs):
    """Open ``page_url`` for its CSRF token, then post ``data`` to ``url`` (default: the same page)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text[:500]
    return client.post(url or page_url, data={"csrf_token": csrf_token(page.text), **(data or {})}, **kwargs)


def submitted_application(
    app: Flask, email: str, intake_id: int, prior_level: int = 6, vapp: bool = False, submitted_days_ago: int = 0
) -> int:
    """An application written straight into the database, already submitted."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        application = Application(
            candidate=user,
            intake_id=intake_id,
            prior_level=prior_level,
            vapp_requested=vapp,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=utcnow() - timedelta(days=submitted_days_ago, minutes=1),
        )
        db.session.add(application)
        db.session.commit()
        return application.id


def apply_form(**overrides) -> dict:
    data = {
        "prior_level": "6",
        "diplomas": "Licence informatique, 2015",
        "current_job": "Developer",
        "years_experience": "8",
        "funding": "cpf",
    }
    data.update(overrides)
    return data
