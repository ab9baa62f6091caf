"""Attendance certificates (what CPF and employers ask for): compute the figures of a period,
issue a certificate (its figures frozen in ``summary``), render it as a PDF, verify a code.

A certificate lists, for each unit with meetings held in the period (in the centre's calendar
days, cancelled meetings left out, meetings not yet started left out), the first and last meeting
dates, the scheduled hours and the hours attended in person and at a distance. Services flush,
never commit.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import local_time, utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.timetable.models import (
    Attendance,
    AttendanceCertificate,
    AttendanceStatus,
    Centre,
    Meeting,
    MeetingStatus,
    Offering,
    Registration,
    RegistrationStatus,
)
from lms.timetable.queries.attendance import minutes_between

CODE_LENGTH = 12


class EmptyPeriod(Refusal):
    """No meeting of the learner was held in the period: there is nothing to certify."""

    status = 422
    field = "period_end"
    message = _l("No meeting was held in this period: there is nothing to certify.")


# --- codes ---------------------------------------------------------------------------------------------


def new_code() -> str:
    """A random, readable verification code: 12 base32 characters (60 bits), e.g. ``K7QX3M2ZP4TA``."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:CODE_LENGTH]


def normalise_code(text: str) -> str:
    """What a person may type or a QR may carry (``k7qx-3m2z-p4ta``) as the stored code."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- the figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingMark:
    """One held meeting of a registration, with the learner's recorded status (None: not recorded)."""

    unit_code: str
    unit_title: str
    centre_id: int
    day: date  # in the centre's calendar
    minutes: int
    status: AttendanceStatus | None


def unit_lines(marks: list[MeetingMark]) -> list[dict[str, Any]]:
    """Per unit, in code order: first and last meeting days and minutes scheduled, attended in
    person and at a distance. Pure."""
    units: dict[str, dict[str, Any]] = {}
    for mark in marks:
        line = units.setdefault(
            mark.unit_code,
            {
                "code": mark.unit_code,
                "title": mark.unit_title,
                "centre_id": mark.centre_id,
                "first": mark.day,
                "last": mark.day,
                "scheduled_minutes": 0,
                "in_person_minutes": 0,
                "remote_minutes": 0,
            },
        )
        line["first"] = min(line["first"], mark.day)
        line["last"] = max(line["last"], mark.day)
        line["scheduled_minutes"] += mark.minutes
        if mark.status == AttendanceStatus.PRESENT_IN_PERSON:
            line["in_person_minutes"] += mark.minutes
        elif mark.status == AttendanceStatus.PRESENT_REMOTE:
            line["remote_minutes"] += mark.minutes
    return [units[code] for code in sorted(units)]


def period_marks(learner_id: int, start: date, end: date, now: datetime) -> tuple[list[MeetingMark], dict[int, Centre]]:
    """The learner's held meetings whose day (at their centre) falls in ``start``..``end``, and the
    centres involved. One statement for the meetings, one for the centres."""
    # Centres sit in every time zone from UTC-10 to UTC+12: read a day more on each side, then keep
    # the meetings whose local day is in the period.
    low = datetime.combine(start - timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    high = datetime.combine(end + timedelta(days=2), datetime.min.time(), tzinfo=now.tzinfo)
    rows = db.session.execute(
        sa.select(Meeting.starts_at, Meeting.ends_at, Unit.code, Unit.title, Offering.centre_id, Attendance.status)
        .join(Offering, Offering.id == Meeting.offering_id)
        .join(Unit, Unit.id == Offering.unit_id)
        .join(Registration, Registration.offering_id == Offering.id)
        .outerjoin(
            Attendance,
            sa.and_(Attendance.meeting_id == Meeting.id, Attendance.registration_id == Registration.id),
        )
        .where(
            Registration.learner_id == learner_id,
            Registration.status == RegistrationStatus.REGISTERED,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at >= low,
            Meeting.starts_at < high,
            Meeting.starts_at <= now,
        )
    ).all()
    centre_ids = {row.centre_id for row in rows}
    centres = (
        {c.id: c for c in db.session.scalars(sa.select(Centre).where(Centre.id.in_(centre_ids)))} if centre_ids else {}
    )
    marks = []
    for starts_at, ends_at, code, title, centre_id, status in rows:
        day = local_time(starts_at, centres[centre_id].timezone).date()
        if start <= day <= end:
            marks.append(
                MeetingMark(
                    code,
                    title,
                    centre_id,
                    day,
                    minutes_between(starts_at, ends_at),
                    AttendanceStatus(status) if status else None,
                )
            )
    return marks, centres


def learner_programmes(learner_id: int) -> list[dict[str, str]]:
    """The programmes the learner is enrolled in (current or completed), by code."""
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion.title)
        .select_from(Enrolment)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .join(Programme, Programme.id == ProgrammeVersion.programme_id)
        .where(
            Enrolment.learner_id == learner_id,
            Enrolment.status.in_([EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED]),
        )
        .order_by(Programme.code)
    )
    seen: dict[str, str] = {}
    for code, title in rows:
        seen.setdefault(code, title)
    return [{"code": code, "title": title} for code, title in seen.items()]


def compute_summary(learner: Learner, start: date, end: date, now: datetime | None = None) -> dict[str, Any]:
    """Everything the certificate prints, as JSON-ready data (dates as ISO text, durations in
    minutes). Raises :class:`EmptyPeriod` when no meeting was held in the period."""
    now = now or utcnow()
    marks, centres = period_marks(learner.id, start, end, now)
    if not marks:
        raise EmptyPeriod
    units = unit_lines(marks)
    centre_ids = list(dict.fromkeys(line["centre_id"] for line in units))
    if len(centre_ids) == 1:
        centre = centres[centre_ids[0]]
    elif learner.home_centre_id in centres:
        centre = centres[learner.home_centre_id]
    else:
        centre = centres[centre_ids[0]]
    user: User = learner.user
    for line in units:
        line.pop("centre_id")
        line["first"] = line["first"].isoformat()
        line["last"] = line["last"].isoformat()
    return {
        "learner": {
            "name": user.name,
            "learner_number": learner.learner_number,
            "birth_date": learner.birth_date.isoformat() if learner.birth_date else None,
        },
        "programmes": learner_programmes(learner.id),
        "centre": {"name": centre.name, "city": centre.city},
        "units": units,
        "totals": {
            key: sum(line[key] for line in units)
            for key in ("scheduled_minutes", "in_person_minutes", "remote_minutes")
        },
    }


def issue_certificate(learner: Learner, start: date, end: date, issued_by: User) -> AttendanceCertificate:
    """Compute and store a certificate; raises :class:`EmptyPeriod` (nothing stored)."""
    now = utcnow()
    summary = compute_summary(learner, start, end, now)
    certificate = AttendanceCertificate(
        code=new_code(),
        learner_id=learner.id,
        period_start=start,
        period_end=end,
        issued_at=now,
        issued_by_id=issued_by.id,
        summary=summary,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def certificate_by_code(text: str) -> AttendanceCertificate | None:
    code = normalise_code(text)
    if len(code) < 8:
        return None
    return db.session.scalar(sa.select(AttendanceCertificate).where(AttendanceCertificate.code == code))


def attended_minutes(summary: dict[str, Any]) -> int:
    totals = summary.get("totals", {})
    return int(totals.get("in_person_minutes", 0)) + int(totals.get("remote_minutes", 0))


# --- the PDF --------------------------------------------------------------------------------------------


def render_pdf(html: str, base_url: str) -> bytes:
    """The certificate's HTML (``templates/timetable/certificates/pdf.html``) as an A4 PDF."""
    import weasyprint  # imported lazily: only certificate downloads need it

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=3, border=0)


def pdf_filename(certificate: AttendanceCertificate) -> str:
    number = "".join(ch for ch in certificate.summary["learner"]["learner_number"] if ch.isalnum())
    return (
        f"attestation-assiduite-{number}-{certificate.period_start.isoformat()}"
        f"-{certificate.period_end.isoformat()}.pdf"
    )
