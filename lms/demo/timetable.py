"""Demo timetable: the published schedule repeated for every year of the cohort, then the living
timetable of the current year (weekly meetings and the attendance of those already held)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from lms.catalog.models import UnitKind
from lms.demo.context import DemoContext
from lms.extensions import db
from lms.timetable.models import (
    Attendance,
    AttendanceStatus,
    Centre,
    Meeting,
    MeetingMode,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)
from lms.timetable.services.generator import RecurrenceInput, generate_meetings
from lms.timetable.services.school_days import Closure, semester_bounds

# Working adults favour evenings, Saturdays and distance learning.
MODALITY_PREFERENCE = {
    Modality.HYBRIDE_SOIR: 5,
    Modality.DISTANCE_PLANIFIEE_SOIR: 5,
    Modality.FOAD: 4,
    Modality.PRESENTIEL_SOIR: 4,
    Modality.HYBRIDE_JOUR: 1,
    Modality.DISTANCE_PLANIFIEE_JOUR: 1,
    Modality.PRESENTIEL_JOUR: 1,
}


def make_offerings(demo: DemoContext) -> None:
    """The published schedule, repeated for every year of the cohort; UAs as annual activities."""
    schedule_year = max(o.year for o in demo.catalog.offerings)
    template = [o for o in demo.catalog.offerings if o.year == schedule_year]
    demo.centre_id = centre_id = db.session.scalar(sa.select(Centre.id).where(Centre.code == "PAR"))
    existing = {
        (o.unit_id, o.academic_year, o.semester, o.modality): o for o in db.session.scalars(sa.select(Offering))
    }
    ua_codes = sorted(code for code, unit in demo.units.items() if unit.kind is UnitKind.UA)
    tutor_of = {code: demo.tutors[i % len(demo.tutors)] for i, code in enumerate(sorted(demo.units))}
    demo.offerings_by_unit_year = defaultdict(list)
    for year in range(demo.settings.first_year, demo.current_year + 1):
        wanted = [(o.unit, Semester(o.semester), Modality(o.modality), o.capacity) for o in template]
        wanted += [(code, Semester.A, Modality.FOAD, None) for code in ua_codes]
        for code, semester, modality, capacity in wanted:
            unit = demo.units[code]
            offering = existing.get((unit.id, year, semester, modality))
            if offering is None:
                offering = Offering(
                    unit_id=unit.id,
                    academic_year=year,
                    semester=semester,
                    modality=modality,
                    centre_id=centre_id,
                    capacity=capacity,
                )
                db.session.add(offering)
                existing[(unit.id, year, semester, modality)] = offering
            set_calendar(offering, year)
            if offering.capacity is None and modality is not Modality.FOAD:
                offering.capacity = 60 if modality.value.startswith("distance") else 40
            offering.tutors = [tutor_of[code]]
            demo.offerings_by_unit_year[(code, year)].append(offering)
    db.session.flush()
    demo.summary.offerings = len(existing)


def set_calendar(offering: Offering, year: int) -> None:
    """Cnam-like dates: registration from June, S1 exams in February, S2 and annual in June."""
    offering.registration_opens_on = date(year, 6, 1)
    if offering.semester is Semester.S2:
        offering.registration_closes_on = date(year + 1, 2, 15)
    else:
        offering.registration_closes_on = date(year, 10, 15)
    if offering.semester is Semester.S1:
        offering.exam1_on, offering.exam2_on = date(year + 1, 2, 3), date(year + 1, 6, 20)
    else:
        offering.exam1_on, offering.exam2_on = date(year + 1, 6, 10), date(year + 1, 9, 10)
    offering.jury1_on = date.fromordinal(offering.exam1_on.toordinal() + 14)
    offering.jury2_on = date.fromordinal(offering.exam2_on.toordinal() + 14)


def pick_offering(demo: DemoContext, offerings: list[Offering]) -> Offering:
    weights = [MODALITY_PREFERENCE[o.modality] for o in offerings]
    return demo.rng.choices(offerings, weights)[0]


def make_timetable(demo: DemoContext) -> None:
    """Weekly meetings for the current year's taught offerings (evening ones at 18:00, Saturday
    mornings, daytime ones), skipping French public holidays and the Christmas break, and
    attendance for the meetings already held. FOAD units have no scheduled meeting."""
    rng = demo.rng
    year = demo.current_year
    christmas = Closure(date(year, 12, 20), date(year + 1, 1, 3), "Vacances de Noël")
    offerings = db.session.scalars(
        sa.select(Offering)
        .where(Offering.academic_year == year, Offering.modality != Modality.FOAD)
        .order_by(Offering.id)
    ).all()
    held: list[Meeting] = []
    now = datetime.combine(demo.today, time(23, 59), tzinfo=UTC)
    for offering in offerings:
        code = offering.unit.code
        evening = offering.modality.value.endswith("_soir")
        if evening and rng.random() < 0.2:
            weekday, start, end = 5, time(9, 0), time(12, 0)  # Saturday morning
        elif evening:
            weekday, start, end = rng.randrange(4), time(18, 0), time(21, 0)
        else:
            weekday = rng.randrange(5)
            start, end = (time(9, 0), time(12, 30)) if rng.random() < 0.5 else (time(14, 0), time(17, 30))
        if offering.modality.value.startswith("presentiel"):
            mode = MeetingMode.IN_PERSON
        elif offering.modality.value.startswith("hybride"):
            mode = MeetingMode.BOTH
        else:
            mode = MeetingMode.REMOTE
        room = f"Salle {rng.choice((11, 17, 31, 33, 35))}.{rng.randrange(1, 4)}.{rng.randrange(10, 60)}"
        first, last = semester_bounds(year, offering.semester)
        meetings = generate_meetings(
            offering,
            RecurrenceInput(
                weekday=weekday,
                start=start,
                end=end,
                first=first,
                last=last,
                mode=mode,
                room=None if mode is MeetingMode.REMOTE else room,
                video_url=None
                if mode is MeetingMode.IN_PERSON
                else f"https://visio.example.org/{code.lower()}-{offering.id}",
                closures=(christmas,),
                skip_holidays=True,
            ),
        )
        demo.summary.meetings += len(meetings)
        held += [meeting for meeting in meetings if meeting.ends_at <= now]
    record_attendance(demo, held)


def record_attendance(demo: DemoContext, meetings: list[Meeting]) -> None:
    """Mostly present (in person, or connected for most of a remote meeting), some absences."""
    tutor_of = {o.id: o.tutors[0].id for o in {m.offering for m in meetings} if o.tutors}
    registered: dict[int, list[int]] = defaultdict(list)
    for registration_id, offering_id in db.session.execute(
        sa.select(Registration.id, Registration.offering_id).where(
            Registration.offering_id.in_({m.offering_id for m in meetings}),
            Registration.status == RegistrationStatus.REGISTERED,
        )
    ):
        registered[offering_id].append(registration_id)
    rows = []
    for meeting in meetings:
        minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
        for registration_id in registered.get(meeting.offering_id, ()):
            draw = demo.rng.random()
            if draw < 0.08:
                status, connected = AttendanceStatus.ABSENT, None
            elif draw < 0.12:
                status, connected = AttendanceStatus.EXCUSED, None
            elif meeting.mode is MeetingMode.REMOTE or (meeting.mode is MeetingMode.BOTH and draw > 0.6):
                status, connected = AttendanceStatus.PRESENT_REMOTE, minutes - demo.rng.randrange(0, 20)
            else:
                status, connected = AttendanceStatus.PRESENT_IN_PERSON, None
            rows.append(
                Attendance(
                    registration_id=registration_id,
                    meeting_id=meeting.id,
                    status=status,
                    minutes_connected=connected,
                    recorded_at=meeting.ends_at,
                    recorded_by_id=tutor_of.get(meeting.offering_id),
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    demo.summary.attendance = len(rows)
