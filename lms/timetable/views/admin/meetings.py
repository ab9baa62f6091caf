"""Administrators' pages of an offering's meetings: list, add, move, cancel, restore, generate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.refusals import attempt, show_on_form
from lms.core.time import local_time
from lms.timetable.forms.admin import (
    CancelMeetingForm,
    GeneratorForm,
    MeetingForm,
    RestoreMeetingForm,
)
from lms.timetable.models import (
    Meeting,
    MeetingMode,
    Offering,
)
from lms.timetable.queries import admin as queries
from lms.timetable.services import generator, meeting_changes, school_days
from lms.timetable.services import meetings as meeting_services
from lms.timetable.views.admin import bp, get_or_404


def _meeting_rows(offering: Offering) -> list[tuple[Meeting, object, object]]:
    tz = offering.centre.timezone
    return [
        (meeting, local_time(meeting.starts_at, tz), local_time(meeting.ends_at, tz))
        for meeting in queries.offering_meetings(offering.id)
    ]


@bp.route("/offerings/<int:offering_id>/meetings")
@roles_required(Role.ADMIN)
def meetings(offering_id: int):
    offering = get_or_404(Offering, offering_id)
    return render_template(
        "timetable/admin/meetings.html",
        offering=offering,
        rows=_meeting_rows(offering),
        restore_form=RestoreMeetingForm(),
    )


def _meeting_input(form: MeetingForm) -> meeting_services.MeetingInput:
    return meeting_services.MeetingInput(
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        mode=MeetingMode(form.mode.data),
        room=form.room.data,
        video_url=form.video_url.data,
        outside_period=bool(form.outside_period.data),
    )


def _period(offering: Offering):
    return school_days.semester_bounds(offering.academic_year, offering.semester)


@bp.route("/offerings/<int:offering_id>/meetings/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def meeting_new(offering_id: int):
    offering = get_or_404(Offering, offering_id)
    form = MeetingForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            meeting_services.add_meeting(offering, _meeting_input(form))
        if not outcome.refused:
            flash(_("Meeting added."), "success")
            return redirect(url_for(".meetings", offering_id=offering.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "timetable/admin/meeting_form.html", form=form, offering=offering, meeting=None, period=_period(offering)
    ), status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def meeting_edit(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    offering = meeting.offering
    form = MeetingForm()
    if request.method == "GET":
        start, end = meeting_services.wall_clock(meeting)
        form.day.data, form.start.data, form.end.data = (
            start.date(),
            start.time(),
            end.time(),
        )
        form.mode.data, form.room.data, form.video_url.data = (
            meeting.mode.value,
            meeting.room,
            meeting.video_url,
        )
    if form.validate_on_submit():
        with attempt() as outcome:
            moved = meeting_changes.update_meeting(meeting, _meeting_input(form))
        if outcome.status == 409:
            return _conflict(offering, outcome.refusal)
        if outcome.refused:
            show_on_form(form, outcome.refusal)
        else:
            flash(
                _("Meeting moved: the registered learners are notified.") if moved else _("Meeting saved."),
                "success",
            )
            return redirect(url_for(".meetings", offering_id=offering.id))
    status = 422 if form.errors or form.form_errors else 200
    return (
        render_template(
            "timetable/admin/meeting_form.html",
            form=form,
            offering=offering,
            meeting=meeting,
            period=_period(offering),
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def meeting_cancel(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    form = CancelMeetingForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            meeting_changes.cancel_meeting(meeting, form.notice.data)
        if outcome.status == 409:
            return _conflict(meeting.offering, outcome.refusal)
        if outcome.refused:
            show_on_form(form, outcome.refusal)
        else:
            flash(_("Meeting cancelled: the registered learners are notified."), "success")
            return redirect(url_for(".meetings", offering_id=meeting.offering_id))
    status = 422 if form.errors or form.form_errors else 200
    start, end = meeting_services.wall_clock(meeting)
    return (
        render_template(
            "timetable/admin/meeting_cancel.html",
            form=form,
            meeting=meeting,
            offering=meeting.offering,
            start=start,
            end=end,
        ),
        status,
    )


def _conflict(offering: Offering, error):
    return (
        render_template(
            "timetable/admin/conflict.html",
            offering=offering,
            message=str(error.message),
        ),
        409,
    )


@bp.route("/meetings/<int:meeting_id>/restore", methods=["POST"])
@roles_required(Role.ADMIN)
def meeting_restore(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    form = RestoreMeetingForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as outcome:
        meeting_changes.restore_meeting(meeting)
    if outcome.refused:
        return _conflict(meeting.offering, outcome.refusal)
    flash(_("Meeting restored: the registered learners are notified."), "success")
    return redirect(url_for(".meetings", offering_id=meeting.offering_id))


def _recurrence(form: GeneratorForm, closures) -> generator.RecurrenceInput:
    return generator.RecurrenceInput(
        weekday=form.weekday.data,
        start=form.start.data,
        end=form.end.data,
        first=form.first.data,
        last=form.last.data,
        mode=MeetingMode(form.mode.data),
        room=form.room.data,
        video_url=form.video_url.data,
        closures=tuple(closures),
        skip_holidays=bool(form.skip_holidays.data),
    )


@bp.route("/offerings/<int:offering_id>/meetings/generate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def meeting_generate(offering_id: int):
    offering = get_or_404(Offering, offering_id)
    form = GeneratorForm()
    if request.method == "GET":
        form.first.data, form.last.data = school_days.semester_bounds(offering.academic_year, offering.semester)
    plan = None
    if form.validate_on_submit():
        closures, errors = school_days.parse_closures(form.closures.data or "")
        form.closures.errors = list(form.closures.errors) + errors
        if not errors:
            data = _recurrence(form, closures)
            with attempt(form) as outcome:
                if form.confirm.data:
                    created = generator.generate_meetings(offering, data)
                else:
                    plan = generator.plan_generation(offering, data)
            if form.confirm.data and not outcome.refused:
                flash(
                    ngettext(
                        "%(num)d meeting created.",
                        "%(num)d meetings created.",
                        len(created),
                    ),
                    "success",
                )
                return redirect(url_for(".meetings", offering_id=offering.id))
    status = 422 if form.errors or form.form_errors or (form.closures.errors and request.method == "POST") else 200
    return (
        render_template(
            "timetable/admin/generate.html",
            form=form,
            offering=offering,
            plan=plan,
            timezone=offering.centre.timezone,
        ),
        status,
    )
