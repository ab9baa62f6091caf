"""Administrators' pages of the offerings: list with filters, create, edit, copy a year to the next."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.refusals import attempt
from lms.core.time import academic_year, utcnow
from lms.timetable.forms.admin import (
    CopyYearForm,
    OfferingFilterForm,
    OfferingForm,
    choices,
)
from lms.timetable.models import (
    Modality,
    Offering,
    Semester,
)
from lms.timetable.queries import admin as queries
from lms.timetable.services import offerings as offering_services
from lms.timetable.services import school_days
from lms.timetable.views.admin import bp, get_or_404

PER_PAGE = 50


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
    return _offering_page(get_or_404(Offering, offering_id))


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
