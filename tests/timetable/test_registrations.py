"""Registering for an offering: the window, capacity and waiting list (promotion oldest first,
with a notification), the last-place race on both engines, double registration, a unit already
validated, withdrawal. The small world built here is shared by the other learner-side tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User
from lms.catalog.models import (
    Equivalence,
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    Unit,
    UnitKind,
)
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.notifications.models import Notification
from lms.results.models import Credit, CreditSource, Result, ResultStatus
from lms.timetable.models import (
    Centre,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)
from lms.timetable.services import registrations
from lms.timetable.services.registrations import WindowState, window_state
from tests.helpers import client_for, csrf_token, make_user

TODAY = date(2026, 9, 15)
YEAR = academic_year(TODAY)


# --- a small world ----------------------------------------------------------------------------------


@dataclass
class World:
    units: dict[str, int]
    centre: int
    learners: list[str]  # e-mails; the first is enrolled in LG025


def build_world(app, learners: int = 3) -> World:
    emails = [f"learner{i}@example.org" for i in range(learners)]
    for email in emails:
        make_user(app, email, [Role.LEARNER], locale="en")  # the assertions read English
    with app.app_context():
        units = {
            code: Unit(code=code, title=title, ects=Decimal(6), kind=UnitKind.UE)
            for code, title in (
                ("NFA031", "Programmation avancée"),
                ("NFA032", "Bases de données"),
                ("NFA035", "Réseaux"),
                ("NFA033", "Réseaux (ancien)"),
                ("GDN100", "Gestion"),
            )
        }
        db.session.add_all(units.values())
        equivalence = Equivalence(counts_as=units["NFA035"], signature="NFA033")
        equivalence.sources = [units["NFA033"]]
        db.session.add(equivalence)
        programme = Programme(code="LG025")
        version = ProgrammeVersion(
            programme=programme,
            version="2025",
            title="Licence informatique",
            kind=ProgrammeKind.LICENCE,
            nominal_ects=Decimal(180),
            requirements={
                "all": [
                    {"unit": "NFA031"},
                    {"label": "Options", "choose": 1, "of": [{"unit": "NFA032"}, {"unit": "NFA035"}]},
                ]
            },
        )
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris", timezone="Europe/Paris")
        db.session.add_all([programme, version, centre])
        db.session.flush()
        first = db.session.scalar(sa.select(User).where(User.email == emails[0])).learner
        db.session.add(Enrolment(learner=first, programme_version=version, enrolled_on=date(2025, 9, 1)))
        db.session.commit()
        return World({code: unit.id for code, unit in units.items()}, centre.id, emails)


def add_offering(
    app,
    world: World,
    unit: str = "NFA031",
    *,
    capacity: int | None = None,
    year: int = YEAR,
    semester: Semester = Semester.S1,
    modality: Modality = Modality.PRESENTIEL_SOIR,
    opens: date | None = date(2026, 6, 1),
    closes: date | None = date(2026, 10, 15),
) -> int:
    with app.app_context():
        offering = Offering(
            unit_id=world.units[unit],
            academic_year=year,
            semester=semester,
            modality=modality,
            centre_id=world.centre,
            capacity=capacity,
            registration_opens_on=opens,
            registration_closes_on=closes,
        )
        db.session.add(offering)
        db.session.commit()
        return offering.id


def learner_of(email: str) -> Learner:
    return db.session.scalar(sa.select(Learner).join(User).where(User.email == email))


def do_register(app, email: str, offering_id: int, today: date = TODAY) -> RegistrationStatus:
    with app.app_context():
        row = registrations.register(learner_of(email), db.session.get(Offering, offering_id), today=today)
        db.session.commit()
        return row.status


def statuses(app, offering_id: int) -> dict[str, RegistrationStatus]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.email, Registration.status)
            .join(Learner, Registration.learner_id == Learner.id)
            .join(User, Learner.user_id == User.id)
            .where(Registration.offering_id == offering_id)
        )
        return {email: status for email, status in rows}


# --- the window (pure) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opens", "closes", "today", "state"),
    [
        (date(2026, 6, 1), date(2026, 10, 15), date(2026, 5, 31), WindowState.NOT_YET),
        (date(2026, 6, 1), date(2026, 10, 15), date(2026, 6, 1), WindowState.OPEN),
        (date(2026, 6, 1), date(2026, 10, 15), date(2026, 10, 15), WindowState.OPEN),
        (date(2026, 6, 1), date(2026, 10, 15), date(2026, 10, 16), WindowState.CLOSED),
        (None, None, date(2026, 1, 1), WindowState.OPEN),
        (None, date(2026, 10, 15), date(2027, 1, 1), WindowState.CLOSED),
    ],
)
def test_window_state(opens, closes, today, state):
    assert window_state(opens, closes, today) is state


# --- the window ---------------------------------------------------------------------------------


def test_registration_before_the_window_opens_is_refused_with_the_date(app):
    world = build_world(app)
    offering = add_offering(app, world)
    with pytest.raises(registrations.WindowNotOpen) as refused:
        do_register(app, world.learners[0], offering, today=date(2026, 5, 20))
    assert "NFA031" in str(refused.value) and "2026" in str(refused.value)
    assert statuses(app, offering) == {}


def test_registration_after_the_window_closed_is_refused(app):
    world = build_world(app)
    offering = add_offering(app, world)
    with pytest.raises(registrations.WindowClosed) as refused:
        do_register(app, world.learners[0], offering, today=date(2026, 10, 16))
    assert "15" in str(refused.value)
    assert statuses(app, offering) == {}


def test_registration_within_the_window(app):
    world = build_world(app)
    offering = add_offering(app, world)
    assert do_register(app, world.learners[0], offering) is RegistrationStatus.REGISTERED
    with app.app_context():
        row = db.session.scalar(sa.select(Registration).where(Registration.offering_id == offering))
        assert row.status_changed_at is not None


# --- capacity and the waiting list ---------------------------------------------------------------


def test_full_offering_puts_learners_on_the_waiting_list_and_promotes_the_oldest(app):
    world = build_world(app, learners=4)
    offering = add_offering(app, world, capacity=2)
    a, b, c, d = world.learners
    assert do_register(app, a, offering) is RegistrationStatus.REGISTERED
    assert do_register(app, b, offering) is RegistrationStatus.REGISTERED
    assert do_register(app, c, offering) is RegistrationStatus.WAITLISTED
    assert do_register(app, d, offering) is RegistrationStatus.WAITLISTED
    with app.app_context():
        row = db.session.scalar(
            sa.select(Registration).where(
                Registration.offering_id == offering, Registration.learner_id == learner_of(a).id
            )
        )
        promoted = registrations.withdraw(row, today=TODAY)
        assert [p.learner.user.email for p in promoted] == [c]
        db.session.commit()
    assert statuses(app, offering) == {
        a: RegistrationStatus.WITHDRAWN,
        b: RegistrationStatus.REGISTERED,
        c: RegistrationStatus.REGISTERED,
        d: RegistrationStatus.WAITLISTED,
    }
    with app.app_context():
        notes = db.session.execute(
            sa.select(User.email, Notification.kind).join(User, Notification.user_id == User.id)
        ).all()
        assert (c, "waitlist_promoted") in notes
        assert all(email == c for email, kind in notes if kind == "waitlist_promoted")


def test_leaving_the_waiting_list_promotes_nobody(app):
    world = build_world(app, learners=3)
    offering = add_offering(app, world, capacity=1)
    a, b, c = world.learners
    do_register(app, a, offering)
    do_register(app, b, offering)
    do_register(app, c, offering)
    with app.app_context():
        row = db.session.scalar(
            sa.select(Registration).where(
                Registration.offering_id == offering, Registration.learner_id == learner_of(b).id
            )
        )
        assert registrations.withdraw(row) == []
        db.session.commit()
    assert statuses(app, offering)[c] is RegistrationStatus.WAITLISTED


def test_promote_from_waitlist_after_capacity_is_raised(app):
    world = build_world(app, learners=4)
    offering = add_offering(app, world, capacity=1)
    for email in world.learners:
        do_register(app, email, offering)
    with app.app_context():
        row = db.session.get(Offering, offering)
        row.capacity = 3
        promoted = registrations.promote_from_waitlist(row)
        assert sorted(p.learner.user.email for p in promoted) == world.learners[1:3]
        db.session.commit()
    assert list(statuses(app, offering).values()).count(RegistrationStatus.REGISTERED) == 3


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_learners_racing_for_the_last_place_one_gets_it(app):
    world = build_world(app, learners=2)
    offering = add_offering(app, world, capacity=1)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    outcome: dict[str, RegistrationStatus] = {}

    def take(email: str) -> None:
        try:
            start.wait(timeout=30)
            with app.app_context():
                row = registrations.register(learner_of(email), db.session.get(Offering, offering), today=TODAY)
                db.session.commit()
                outcome[email] = row.status
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def slow_down(conn, cursor, statement, parameters, context, executemany):
        # widen the race: pause after counting the registered places, before deciding
        if statement.lstrip().upper().startswith("SELECT COUNT(REGISTRATIONS.ID)"):
            time.sleep(0.3)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", slow_down)
    try:
        threads = [threading.Thread(target=take, args=(email,)) for email in world.learners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sa.event.remove(engine, "after_cursor_execute", slow_down)
    assert errors == []
    assert sorted(outcome.values()) == sorted([RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED])
    assert sorted(statuses(app, offering).values()) == sorted(outcome.values())


# --- refusals -------------------------------------------------------------------------------------


def test_second_offering_of_the_same_unit_in_the_same_year_is_refused(app):
    world = build_world(app)
    evening = add_offering(app, world, modality=Modality.PRESENTIEL_SOIR)
    distance = add_offering(app, world, modality=Modality.FOAD)
    do_register(app, world.learners[0], evening)
    with pytest.raises(registrations.UnitAlreadyTaken) as refused:
        do_register(app, world.learners[0], distance)
    assert "NFA031" in str(refused.value)
    with pytest.raises(registrations.AlreadyRegistered):
        do_register(app, world.learners[0], evening)


def test_same_unit_next_year_is_allowed(app):
    world = build_world(app)
    this_year = add_offering(app, world)
    next_year = add_offering(app, world, year=YEAR + 1)
    do_register(app, world.learners[0], this_year)
    assert do_register(app, world.learners[0], next_year) is RegistrationStatus.REGISTERED


def test_unit_validated_by_a_published_result_is_refused(app):
    world = build_world(app)
    old = add_offering(app, world, year=YEAR - 1, opens=None, closes=None)
    new = add_offering(app, world)
    do_register(app, world.learners[0], old)
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration).where(Registration.offering_id == old))
        db.session.add(
            Result(registration=registration, exam_session=1, grade=Decimal("12.5"), status=ResultStatus.PUBLISHED)
        )
        db.session.commit()
    with pytest.raises(registrations.UnitAlreadyValidated):
        do_register(app, world.learners[0], new)


def test_failed_result_does_not_block_a_retake(app):
    world = build_world(app)
    old = add_offering(app, world, year=YEAR - 1, opens=None, closes=None)
    new = add_offering(app, world)
    do_register(app, world.learners[0], old)
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration).where(Registration.offering_id == old))
        db.session.add(
            Result(registration=registration, exam_session=1, grade=Decimal(7), status=ResultStatus.PUBLISHED)
        )
        db.session.commit()
    assert do_register(app, world.learners[0], new) is RegistrationStatus.REGISTERED


def test_unit_validated_by_a_credit_is_refused(app):
    world = build_world(app)
    offering = add_offering(app, world)
    with app.app_context():
        db.session.add(
            Credit(
                learner_id=learner_of(world.learners[0]).id,
                unit_id=world.units["NFA031"],
                source=CreditSource.DISPENSE,
                granted_on=date(2025, 1, 1),
            )
        )
        db.session.commit()
    with pytest.raises(registrations.UnitAlreadyValidated):
        do_register(app, world.learners[0], offering)


# --- withdrawal ------------------------------------------------------------------------------------


def test_withdraw_then_register_again_reuses_the_row(app):
    world = build_world(app)
    offering = add_offering(app, world)
    do_register(app, world.learners[0], offering)
    with app.app_context():
        row = db.session.scalar(sa.select(Registration).where(Registration.offering_id == offering))
        first_id = row.id
        registrations.withdraw(row)
        db.session.commit()
        with pytest.raises(registrations.NotRegistered):
            registrations.withdraw(row)
        db.session.rollback()
    assert do_register(app, world.learners[0], offering) is RegistrationStatus.REGISTERED
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).where(Registration.offering_id == offering)).all()
        assert [r.id for r in rows] == [first_id]


# --- through the pages -------------------------------------------------------------------------------


def test_register_and_withdraw_through_the_catalogue(app):
    world = build_world(app)
    today = utcnow().date()
    offering = add_offering(
        app, world, year=academic_year(today), opens=today - timedelta(days=5), closes=today + timedelta(days=5)
    )
    client = client_for(app, world.learners[0])
    page = client.get("/offerings")
    assert page.status_code == 200
    token = csrf_token(page.text)
    response = client.post(
        f"/offerings/{offering}/register", data={"csrf_token": token, "back": "/offerings?evening=y"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/offerings?evening=y")
    assert statuses(app, offering) == {world.learners[0]: RegistrationStatus.REGISTERED}
    again = client.post(f"/offerings/{offering}/register", data={"csrf_token": token})
    assert again.status_code == 409
    assert "already registered" in again.text
    response = client.post(
        f"/offerings/{offering}/withdraw", data={"csrf_token": token, "back": "https://evil.example"}
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert statuses(app, offering) == {world.learners[0]: RegistrationStatus.WITHDRAWN}


def test_closed_window_through_the_page_answers_409_with_the_date(app):
    world = build_world(app)
    today = utcnow().date()
    offering = add_offering(app, world, opens=today - timedelta(days=30), closes=today - timedelta(days=2))
    client = client_for(app, world.learners[0])
    token = csrf_token(client.get("/offerings").text)
    response = client.post(f"/offerings/{offering}/register", data={"csrf_token": token})
    assert response.status_code == 409
    assert str((today - timedelta(days=2)).year) in response.text
    assert statuses(app, offering) == {}


def test_bad_requests(app):
    world = build_world(app)
    client = client_for(app, world.learners[0])
    token = csrf_token(client.get("/offerings").text)
    assert client.post("/offerings/999999/register", data={"csrf_token": token}).status_code == 404
    offering = add_offering(app, world)
    assert client.post(f"/offerings/{offering}/withdraw", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/offerings/{offering}/register", data={}).status_code == 400
