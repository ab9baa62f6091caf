"""Timetable pages for administrators: centres, offerings (list, create, edit, copy a year) and
the meetings of an offering (add, edit, cancel, restore, generate recurring meetings)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.navigation import NavItem
from lms.core.refusals import attempt, show_on_form
from lms.core.time import academic_year, local_time, utcnow
from lms.extensions import db
from lms.timetable.forms.admin import (
    CancelMeetingForm,
    CentreForm,
    CopyYearForm,
    GeneratorForm,
    MeetingForm,
    OfferingFilterForm,
    OfferingForm,
    RestoreMeetingForm,
    choices,
)
from lms.timetable.models import (
    Centre,
    Meeting,
    MeetingMode,
    Modality,
    Offering,
    Semester,
)
from lms.timetable.queries import admin as queries
from lms.timetable.services import centres as centre_services
from lms.timetable.services import generator, meeting_changes, school_days
from lms.timetable.services import meetings as meeting_services
from lms.timetable.services import offerings as offering_services

bp = Blueprint("timetable_admin", __name__, url_prefix="/admin/timetable")

PER_PAGE = 50


def nav_items(user) -> list[NavItem]:
    if not user.has_role(Role.ADMIN):
        return []
    return [
        NavItem(_l("Offerings"), "timetable_admin.offerings", order=53),
        NavItem(_l("Centres"), "timetable_admin.centres", order=54),
    ]


def _get(model, ident: int):
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


# --- centres ---------------------------------------------------------------------------------------


@bp.route("/centres")
@roles_required(Role.ADMIN)
def centres():
    return render_template("timetable/admin/centres.html", lines=queries.centre_lines())


def _centre_input(form: CentreForm) -> centre_services.CentreInput:
    return centre_services.CentreInput(form.code.data, form.name.data, form.city.data, form.timezone.data)


@bp.route("/centres/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def centre_new():
    return _centre_page(None)


@bp.route("/centres/<int:centre_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def centre_edit(centre_id: int):
    return _centre_page(_get(Centre, centre_id))


def _centre_page(centre: Centre | None):
    form = CentreForm(obj=centre)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            saved = centre_services.save_centre(centre, _centre_input(form))
        if not outcome.refused:
            flash(_("Centre %(code)s saved.", code=saved.code), "success")
            return redirect(url_for(".centres"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("timetable/admin/centre_form.html", form=form, centre=centre), status


# --- offerings -------------------------------------------------------------------------------------


def _filters(form: OfferingFilterForm) -> queries.OfferingFilters:
    form.year.choices = choices([("", _("All"))] + [(year, f"{year}-{year + 1}") for year in queries.offering_years()])
    form.centre.choices = choices([("", _("All"))] + queries.centre_choices())
    form.validate()  # an unknown value is simply not applied

    def valid(field):
        return None if field.errors else field.data

    semester, modality = valid(form.semester), valid(form.modality)
    return queries.OfferingFilters(
        year=valid(form.year),
        semester=Semester(semester) if semester else None,
        centre_id=valid(form.centre),
        modality=Modality(modality) if modality else None,
        unit=(valid(form.unit) or "").strip().upper(),
    )


@bp.route("/offerings")
@roles_required(Role.ADMIN)
def offerings():
    form = OfferingFilterForm(request.args)
    filters = _filters(form)
    page = queries.offering_page(filters, page=request.args.get("page", 1, type=int), per_page=PER_PAGE)
    return render_template("timetable/admin/offerings.html", form=form, page=page, filters=filters)


def _offering_form(offering: Offering | None) -> OfferingForm:
    form = OfferingForm(obj=offering)
    if request.method == "GET":
        if offering is not None:
            form.unit_code.data = offering.unit.code
            form.semester.data = offering.semester.value
            form.modality.data = offering.modality.value
            form.tutor_ids.data = [tutor.id for tutor in offering.tutors]
        else:
            form.academic_year.data = academic_year(utcnow().date())
    form.centre_id.choices = choices([("", _("— choose a centre —"))] + queries.centre_choices())
    form.tutor_ids.choices = choices(queries.tutor_choices())
    return form


def _offering_input(form: OfferingForm) -> offering_services.OfferingInput:
    return offering_services.OfferingInput(
        unit_code=form.unit_code.data,
        academic_year=form.academic_year.data,
        semester=Semester(form.semester.data),
        modality=Modality(form.modality.data),
        centre_id=form.centre_id.data,
        capacity=form.capacity.data,
        registration_opens_on=form.registration_opens_on.data,
        registration_closes_on=form.registration_closes_on.data,
        exam1_on=form.exam1_on.data,
        exam2_on=form.exam2_on.data,
        jury1_on=form.jury1_on.data,
        jury2_on=form.jury2_on.data,
        tutor_ids=list(form.tutor_ids.data or []),
    )


@bp.route("/offerings/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def offering_new():
    return _offering_page(None)


@bp.route("/offerings/<int:offering_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def offering_edit(offering_id: int):
    return _offering_page(_get(Offering, offering_id))


def _offering_page(offering: Offering | None):
    form = _offering_form(offering)
    if form.validate_on_submit():
        with attempt(form) as saving:
            outcome = offering_services.save_offering(offering, _offering_input(form))
        if not saving.refused:
            saved = outcome.offering
            flash(
                _(
                    "Offering %(code)s %(year)s saved.",
                    code=saved.unit.code,
                    year=f"{saved.academic_year}-{saved.academic_year + 1}",
                ),
                "success",
            )
            if outcome.promoted:
                flash(
                    ngettext(
                        "%(num)d waitlisted learner now has a place.",
                        "%(num)d waitlisted learners now have a place.",
                        len(outcome.promoted),
                    ),
                    "info",
                )
            if outcome.over_capacity:
                flash(
                    ngettext(
                        "Warning: %(num)d learner more is registered than the new capacity allows; nobody was removed.",
                        "Warning: %(num)d learners more are registered than the new capacity allows; nobody was removed.",
                        outcome.over_capacity,
                    ),
                    "warning",
                )
            return redirect(url_for(".offering_edit", offering_id=saved.id))
    status = 422 if form.errors or form.form_errors else 200
    counts = queries.registration_counts(offering.id) if offering is not None else (0, 0)
    return (
        render_template(
            "timetable/admin/offering_form.html",
            form=form,
            offering=offering,
            counts=counts,
        ),
        status,
    )


@bp.route("/offerings/copy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def copy_year():
    form = CopyYearForm()
    if request.method == "GET":
        form.year.data = request.args.get("year", academic_year(utcnow().date()), type=int)
    plan = None
    status = 200
    if form.validate_on_submit():
        closures, errors = school_days.parse_closures(form.closures.data or "")
        form.closures.errors = list(form.closures.errors) + errors
        if errors:
            status = 422
        elif form.confirm.data:
            with attempt(form) as outcome:
                plan = offering_services.copy_year(form.year.data, closures)
            if outcome.refused:
                page = render_template("timetable/admin/copy_year.html", form=form, plan=None)
                return page, 409
            flash(
                ngettext(
                    "%(num)d offering copied to %(year)s.",
                    "%(num)d offerings copied to %(year)s.",
                    len(plan.create),
                    year=f"{plan.year + 1}-{plan.year + 2}",
                ),
                "success",
            )
            if plan.skipped_days:
                flash(
                    ngettext(
                        "%(num)d meeting not copied: public holiday or closure",
                        "%(num)d meetings not copied: public holidays or closures",
                        len(plan.skipped_days),
                    ),
                    "info",
                )
            return redirect(url_for(".offerings", year=plan.year + 1))
        else:
            plan = offering_services.plan_copy(form.year.data, closures)
    elif request.method == "POST":
        status = 422
    return render_template("timetable/admin/copy_year.html", form=form, plan=plan), status


# --- meetings --------------------------------------------------------------------------------------


def _meeting_rows(offering: Offering) -> list[tuple[Meeting, object, object]]:
    tz = offering.centre.timezone
    return [
        (meeting, local_time(meeting.starts_at, tz), local_time(meeting.ends_at, tz))
        for meeting in queries.offering_meetings(offering.id)
    ]


@bp.route("/offerings/<int:offering_id>/meetings")
@roles_required(Role.ADMIN)
def meetings(offering_id: int):
    offering = _get(Offering, offering_id)
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
    offering = _get(Offering, offering_id)
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
    meeting = _get(Meeting, meeting_id)
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
    meeting = _get(Meeting, meeting_id)
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
    meeting = _get(Meeting, meeting_id)
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
    offering = _get(Offering, offering_id)
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
