"""Administrators' pages of the centres."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt
from lms.timetable.forms.admin import (
    CentreForm,
)
from lms.timetable.models import (
    Centre,
)
from lms.timetable.queries import admin as queries
from lms.timetable.services import centres as centre_services
from lms.timetable.views.admin import bp, get_or_404


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
    return _centre_page(get_or_404(Centre, centre_id))


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
