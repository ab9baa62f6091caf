"""Timetable pages for the tutor audience: an offering's meetings, the attendance sheet of a
meeting, the import of a video tool's participants report, and the offering's hour summary.

Only the offering's tutors and administrators may open them (403 for anyone else)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.i18n import ngettext
from lms.core.navigation import NavItem
from lms.core.refusals import attempt
from lms.core.time import local_time, utcnow
from lms.extensions import db
from lms.timetable.forms.tutor import (
    AttendanceSheetForm,
    ConfirmParticipantsForm,
    ParticipantsImportForm,
)
from lms.timetable.models import (
    AttendanceStatus,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Offering,
)
from lms.timetable.queries import attendance as queries
from lms.timetable.services import attendance as services
from lms.timetable.services import attendance_dates, participants

bp = Blueprint("timetable_tutor", __name__)

STATUS_LABELS = {
    AttendanceStatus.PRESENT_IN_PERSON: _l("Present in person"),
    AttendanceStatus.PRESENT_REMOTE: _l("Present remotely"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
}
MODE_LABELS = {
    MeetingMode.IN_PERSON: _l("In person"),
    MeetingMode.REMOTE: _l("Remote"),
    MeetingMode.BOTH: _l("In person and remote"),
}


def nav_items(user) -> list[NavItem]:
    return []  # tutors reach attendance from their offerings


def _offering(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id, options=[joinedload(Offering.unit), joinedload(Offering.centre)])
    if offering is None:
        abort(404)
    deny_unless(queries.can_take_attendance(current_user, offering))
    return offering


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(
        Meeting,
        meeting_id,
        options=[
            joinedload(Meeting.offering).joinedload(Offering.unit),
            joinedload(Meeting.offering).joinedload(Offering.centre),
        ],
    )
    if meeting is None:
        abort(404)
    deny_unless(queries.can_take_attendance(current_user, meeting.offering))
    return meeting


def _context(**values):
    return dict(
        status_labels=STATUS_LABELS,
        mode_labels=MODE_LABELS,
        statuses=list(AttendanceStatus),
        ABSENT=AttendanceStatus.ABSENT,
        hours=queries.format_hours,
        local=local_time,
        **values,
    )


def _cancelled(meeting: Meeting):
    return (
        render_template("timetable/tutor/cancelled.html", **_context(meeting=meeting, offering=meeting.offering)),
        409,
    )


@bp.route("/attendance/offerings/<int:offering_id>")
@roles_required(Role.TUTOR, Role.ADMIN)
def meetings(offering_id: int):
    offering = _offering(offering_id)
    return render_template(
        "timetable/tutor/meetings.html",
        **_context(
            offering=offering,
            lines=queries.offering_meetings(offering),
            registered=queries.registered_count(offering),
            now=utcnow(),
        ),
    )


@bp.route("/attendance/offerings/<int:offering_id>/summary")
@roles_required(Role.TUTOR, Role.ADMIN)
def summary(offering_id: int):
    offering = _offering(offering_id)
    return render_template(
        "timetable/tutor/summary.html",
        **_context(offering=offering, lines=queries.offering_summary(offering, utcnow())),
    )


def _render_sheet(meeting, form, rows, chosen, status=200, filled=False):
    started = attendance_dates.has_started(meeting)
    return (
        render_template(
            "timetable/tutor/sheet.html",
            **_context(
                meeting=meeting,
                offering=meeting.offering,
                form=form,
                rows=rows,
                chosen=chosen,
                filled=filled,
                default_status=services.all_present_status(meeting),
                not_started=None if started else attendance_dates.not_started_message(meeting),
            ),
        ),
        status,
    )


@bp.route("/attendance/meetings/<int:meeting_id>", methods=["GET", "POST"])
@roles_required(Role.TUTOR, Role.ADMIN)
def sheet(meeting_id: int):
    meeting = _meeting(meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        return _cancelled(meeting)
    form = AttendanceSheetForm()
    rows = queries.sheet_rows(meeting)
    recorded = {row.registration.id: row.attendance.status for row in rows if row.attendance is not None}
    if request.method == "GET":
        return _render_sheet(meeting, form, rows, recorded)
    if not form.validate_on_submit():
        flash(_("The form has expired: please send it again."), "warning")
        return redirect(url_for(".sheet", meeting_id=meeting.id))
    if not attendance_dates.has_started(meeting):
        return _render_sheet(meeting, form, rows, recorded, status=409)
    if form.all_present.data:
        # Fill the sheet, write nothing yet: the tutor adjusts the exceptions, then saves.
        everyone = {row.registration.id: services.all_present_status(meeting) for row in rows}
        return _render_sheet(meeting, form, rows, everyone, filled=True)
    chosen = services.read_statuses(request.form, [row.registration.id for row in rows])
    with attempt() as outcome:
        written = services.save_attendance(meeting, rows, chosen, current_user)
    if outcome.refused:
        flash(
            _(
                "Someone else recorded this meeting at the same time: nothing was saved. Check the sheet and save again."
            ),
            "danger",
        )
        return _render_sheet(meeting, form, queries.sheet_rows(meeting), chosen, status=outcome.status)
    flash(
        ngettext(
            "Attendance saved: %(num)d learner recorded.", "Attendance saved: %(num)d learners recorded.", written
        ),
        "success",
    )
    return redirect(url_for(".sheet", meeting_id=meeting.id))


# --- importing the video tool's participants report ----------------------------------------------------


def _render_import(meeting, form, status=200):
    return (
        render_template(
            "timetable/tutor/import.html",
            **_context(
                meeting=meeting,
                offering=meeting.offering,
                form=form,
                default_threshold=participants.default_threshold(meeting),
                max_kib=participants.max_bytes() // 1024,
                not_started=None
                if attendance_dates.has_started(meeting)
                else attendance_dates.not_started_message(meeting),
            ),
        ),
        status,
    )


def _render_preview(meeting, filename, preview, confirm, status=200):
    return (
        render_template(
            "timetable/tutor/import_preview.html",
            **_context(meeting=meeting, offering=meeting.offering, filename=filename, preview=preview, confirm=confirm),
        ),
        status,
    )


def _importable(meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    if meeting.mode == MeetingMode.IN_PERSON:
        abort(404)  # nobody connects to an in-person meeting
    return meeting


@bp.route("/attendance/meetings/<int:meeting_id>/import", methods=["GET", "POST"])
@roles_required(Role.TUTOR, Role.ADMIN)
def import_report(meeting_id: int):
    meeting = _importable(meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        return _cancelled(meeting)
    form = ParticipantsImportForm()
    if request.method == "GET":
        return _render_import(meeting, form)
    if not form.validate_on_submit():
        return _render_import(meeting, form, status=422)
    data = form.file.data.read()
    filename = participants.reports.display_name(form.file.data.filename)
    threshold = form.threshold.data if form.threshold.data is not None else participants.default_threshold(meeting)
    if not attendance_dates.has_started(meeting):
        return _render_import(meeting, form, status=409)
    report = participants.read_participants(data, filename)
    problems = report.problems or attendance_dates.join_day_problems(
        filename, report.joins(), attendance_dates.meeting_days(meeting)
    )
    if problems:
        form.file.errors = list(problems)
        return _render_import(meeting, form, status=422)
    preview = participants.match_participants(report.participants, queries.sheet_rows(meeting), threshold)
    confirm = ConfirmParticipantsForm(
        formdata=None,
        token=participants.store_report(
            data, filename, user_id=current_user.id, meeting_id=meeting.id, threshold=threshold
        ),
    )
    return _render_preview(meeting, filename, preview, confirm)


@bp.route("/attendance/meetings/<int:meeting_id>/import/confirm", methods=["POST"])
@roles_required(Role.TUTOR, Role.ADMIN)
def import_confirm(meeting_id: int):
    meeting = _importable(meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        return _cancelled(meeting)
    form = ConfirmParticipantsForm()
    stored = (
        participants.fetch_report(form.token.data, user_id=current_user.id, meeting_id=meeting.id)
        if form.validate_on_submit()
        else None
    )
    if stored is None:
        flash(_("This upload has expired or is unknown: please send the file again."), "warning")
        return redirect(url_for(".import_report", meeting_id=meeting.id))
    # The roster may have changed since the preview: match the very same bytes again.
    report = participants.read_participants(stored.data, stored.filename)
    days = attendance_dates.meeting_days(meeting)  # the meeting may have moved since the preview
    if not report.ok or attendance_dates.join_day_problems(stored.filename, report.joins(), days):
        participants.discard_report(stored.token)
        flash(_("This file cannot be read: please send it again."), "danger")
        return redirect(url_for(".import_report", meeting_id=meeting.id))
    rows = queries.sheet_rows(meeting)
    preview = participants.match_participants(report.participants, rows, stored.threshold)
    with attempt() as outcome:
        written = services.save_attendance(meeting, rows, preview.statuses(), current_user, minutes=preview.minutes())
    if isinstance(outcome.refusal, attendance_dates.MeetingNotStarted):  # moved later since the preview
        participants.discard_report(stored.token)
        flash(attendance_dates.not_started_message(meeting), "danger")
        return redirect(url_for(".sheet", meeting_id=meeting.id))
    if outcome.refused:
        flash(
            _("Someone else recorded this meeting at the same time: nothing was imported. Send the file again."),
            "danger",
        )
        return redirect(url_for(".sheet", meeting_id=meeting.id))
    participants.discard_report(stored.token)
    flash(
        ngettext("Imported: %(num)d learner recorded.", "Imported: %(num)d learners recorded.", written),
        "success",
    )
    return redirect(url_for(".sheet", meeting_id=meeting.id))
