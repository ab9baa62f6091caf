"""A small world for grade-sheet tests: units, a programme and its director, offerings, learners."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

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
from lms.results.models import Result, ResultHistory
from lms.timetable.models import Centre, Modality, Offering, Registration, Semester
from tests.helpers import csrf_token, make_user


@dataclass
class World:
    offering: int  # NFA031, taught by tutor
    ua_offering: int  # UA2B01, taught by tutor
    other_offering: int  # NFA032, taught by other tutor
    registrations: list[int]  # on ``offering``, learners in name order
    ua_registrations: list[int]
    learner_emails: list[str]


def build_world(app: Flask) -> World:
    make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor One")
    make_user(app, "tutor2@example.org", [Role.TUTOR], name="Tutor Two")
    make_user(app, "director@example.org", [Role.DIRECTOR], name="Director In")
    make_user(app, "director2@example.org", [Role.DIRECTOR], name="Director Out")
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin")
    emails = ["learner.a@example.org", "learner.b@example.org", "learner.c@example.org"]
    for index, email in enumerate(emails):
        make_user(app, email, [Role.LEARNER], name=f"Learner {'ABC'[index]}")
    with app.app_context():
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        ue = Unit(code="NFA031", title="Programmation", ects=Decimal(6), kind=UnitKind.UE)
        other = Unit(code="NFA032", title="Programmation 2", ects=Decimal(6), kind=UnitKind.UE)
        ua = Unit(
            code="UA2B01",
            title="Expérience professionnelle",
            ects=Decimal(12),
            kind=UnitKind.UA,
        )
        inside = Programme(code="LG02501A")
        inside.directors = [users["director@example.org"]]
        outside = Programme(code="CYC9106A")
        outside.directors = [users["director2@example.org"]]
        db.session.add_all([ue, other, ua, inside, outside])
        db.session.add(version(inside, {"all": [{"unit": "NFA031"}, {"unit": "UA2B01"}]}))
        db.session.add(version(outside, {"all": [{"unit": "NFA032"}]}))
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris")
        today = utcnow().date()
        future = today + timedelta(days=60)
        offerings = []
        for unit, tutor in (
            (ue, "tutor@example.org"),
            (ua, "tutor@example.org"),
            (other, "tutor2@example.org"),
        ):
            offering = Offering(
                unit=unit,
                academic_year=2026,
                semester=Semester.S1,
                modality=Modality.FOAD,
                centre=centre,
                exam1_on=today - timedelta(days=20),  # taken: results may be published
                exam2_on=today - timedelta(days=5),
                jury1_on=future + timedelta(days=14),
                jury2_on=future + timedelta(days=74),
            )
            offering.tutors = [users[tutor]]
            offerings.append(offering)
        db.session.add_all(offerings)
        db.session.flush()
        regs, ua_regs = [], []
        learners = [users[email].learner for email in emails]
        for learner in learners:
            regs.append(Registration(learner=learner, offering=offerings[0]))
            ua_regs.append(Registration(learner=learner, offering=offerings[1]))
            db.session.add(Registration(learner=learner, offering=offerings[2]))
        db.session.add_all(regs + ua_regs)
        db.session.commit()
        return World(
            offerings[0].id,
            offerings[1].id,
            offerings[2].id,
            [r.id for r in regs],
            [r.id for r in ua_regs],
            emails,
        )


def version(programme: Programme, requirements) -> ProgrammeVersion:
    return ProgrammeVersion(
        programme=programme,
        version="2025",
        title=programme.code,
        kind=ProgrammeKind.LICENCE,
        nominal_ects=Decimal(180),
        requirements=requirements,
    )


def sheet_url(offering: int, session: int = 1) -> str:
    return f"/results/offerings/{offering}/sessions/{session}"


class _Inputs(HTMLParser):
    """The values a browser would send from the sheet's inputs, as shown on the page."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and re.match(r"(grade|comment|version|absent)-\d+$", name):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "y"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name.startswith("decision-"):
            self.select = name
            self.data[name] = ""
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def sheet_form(page_html: str, values: dict[int, str | dict], publish: bool = False) -> dict[str, str]:
    """Form data as the browser would send it: every input as shown, then the given values."""
    data = {"csrf_token": csrf_token(page_html)}
    parser = _Inputs()
    parser.feed(page_html)
    data.update(parser.data)
    for rid, value in values.items():
        if value != "absent" and not isinstance(value, dict):
            data.pop(f"absent-{rid}", None)
    for rid, value in values.items():
        if isinstance(value, dict):
            data.update({f"{key}-{rid}": text for key, text in value.items()})
        elif value == "absent":
            data[f"absent-{rid}"] = "y"
        else:
            data[f"grade-{rid}"] = value
    data["publish" if publish else "save"] = "1"
    return data


def save(client: FlaskClient, offering: int, values, session: int = 1, publish: bool = False, early: bool = False):
    """Post the sheet with ``values``; ``publish``: then confirm the publication (``early``: also
    tick the box for an exam still to come). Returns the sheet's answer, or the confirmation's."""
    page = client.get(sheet_url(offering, session))
    assert page.status_code == 200, page.status_code
    response = client.post(sheet_url(offering, session), data=sheet_form(page.text, values, publish))
    if not publish or response.status_code != 302 or not response.location.endswith("/publish"):
        return response
    return confirm_publication(client, offering, session, early=early)


def publish_url(offering: int, session: int = 1) -> str:
    return sheet_url(offering, session) + "/publish"


def confirm_publication(client: FlaskClient, offering: int, session: int = 1, early: bool = False):
    """Tick the confirmation (and ``early``, the one for an exam still to come) and publish."""
    page = client.get(publish_url(offering, session))
    if page.status_code == 302:  # nothing to publish
        return page
    assert page.status_code == 200, page.status_code
    key = re.search(r'name="key" type="hidden" value="([^"]*)"', page.text)
    data = {"csrf_token": csrf_token(page.text), "key": key.group(1) if key else "", "confirm": "y", "submit": "1"}
    if early:
        data["confirm_early"] = "y"
    return client.post(publish_url(offering, session), data=data)


def results(app: Flask, registration_ids: list[int], session: int = 1) -> dict[int, Result]:
    with app.app_context():
        found = db.session.scalars(
            sa.select(Result).where(
                Result.registration_id.in_(registration_ids),
                Result.exam_session == session,
            )
        ).all()
        for result in found:
            db.session.expunge(result)
        return {result.registration_id: result for result in found}


def history(app: Flask, result_id: int) -> list[tuple[str, dict | None, dict, str, str | None, int | None]]:
    with app.app_context():
        return [
            (
                h.action.value,
                h.old_value,
                h.new_value,
                h.source,
                h.reason,
                h.changed_by_id,
            )
            for h in db.session.scalars(
                sa.select(ResultHistory).where(ResultHistory.result_id == result_id).order_by(ResultHistory.id)
            )
        ]


def set_jury(app: Flask, offering: int, session: int, day: date) -> None:
    with app.app_context():
        row = db.session.get(Offering, offering)
        setattr(row, f"jury{session}_on", day)
        db.session.commit()
