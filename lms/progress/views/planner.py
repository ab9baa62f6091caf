"""The learner's cockpit: the study planner (/me/plan).

- ``/me/plan``: the learner's enrolments and their saved plans (status, warning);
- ``/me/plan/<enrolment>``: preferences (GET form), units to pin or remove, the proposed plan term
  by term, the saved plan; ``POST .../save`` stores the plan of the submitted preferences
  (recomputed here), ``POST .../delete`` deletes it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MY_STUDIES, NavItem
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress import study_plans as planning
from lms.progress.audit.planner import Preferences, Problem, held_units, start_term
from lms.progress.forms.planner import (
    UNIT_CHOICES,
    DeletePlanForm,
    PreferencesForm,
    SavePlanForm,
)
from lms.progress.queries import learner_programmes
from lms.progress.records import learner_record
from lms.timetable.models import Centre

bp = Blueprint("progress_planner", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    if user.has_role(Role.LEARNER) and user.learner is not None:
        return [NavItem(_l("My study plan"), "progress_planner.index", order=14, group=MY_STUDIES)]
    return []


def problem_text(problem: Problem | dict) -> str:
    kind = problem.kind if isinstance(problem, Problem) else problem.get("kind")
    unit = (problem.unit if isinstance(problem, Problem) else problem.get("unit")) or ""
    messages = {
        "removed": _("%(unit)s is needed to complete the programme, and you removed it.", unit=unit),
        "not_offered": _("%(unit)s is needed and is not offered in the modalities and centres you accept.", unit=unit)
        if unit
        else _("Some needed units are not offered in the modalities and centres you accept."),
        "too_big": _("%(unit)s is worth more ECTS than your pace allows in one semester.", unit=unit),
        "slot": _(
            "The free slot %(unit)s is needed: it is filled only by a decision of the programme's director "
            "(a unit chosen with the teacher in charge). Ask for it, then plan again.",
            unit=unit,
        ),
        "pinned_unavailable": _(
            "%(unit)s, which you pinned, cannot be planned: removed, or not offered in the "
            "modalities and centres you accept.",
            unit=unit,
        ),
        "no_schedule": _(
            "The offerings could complete the programme, but not within the planning horizon at this pace."
        ),
        "offering_gone": _("The planned offering of %(unit)s no longer exists.", unit=unit),
        "term_passed": _("The planned semester of %(unit)s is over and the unit is not validated.", unit=unit),
        "incomplete": _("The planned units no longer complete the programme."),
    }
    return messages.get(kind, kind or "")


def _enrolment(enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.learner_id != own_learner().id:
        abort(404)
    return enrolment


def _centre_choices() -> list[SelectChoice]:
    return [
        SelectChoice(code, f"{name} ({code})")
        for code, name in db.session.execute(sa.select(Centre.code, Centre.name).order_by(Centre.name))
    ]


def _unit_choices(args: MultiDict, codes: list[str]) -> tuple[list[str], list[str]]:
    pinned = [code for code in codes if args.get(f"unit_{code}") == "pin"]
    removed = [code for code in codes if args.get(f"unit_{code}") == "remove"]
    return pinned, removed


@bp.route("/plan")
@roles_required(Role.LEARNER)
def index():
    learner = own_learner()
    programmes = learner_programmes(learner)
    saved = {}
    if programmes:
        from lms.progress.models import StudyPlan

        saved = {
            plan.enrolment_id: plan
            for plan in db.session.scalars(
                sa.select(StudyPlan).where(StudyPlan.enrolment_id.in_([e.id for e, _v, _s in programmes]))
            )
        }
    return render_template("progress/planner_index.html", programmes=programmes, saved=saved, problem_text=problem_text)


def _form(args: MultiDict, saved) -> PreferencesForm:
    if not args and saved is not None:
        data = saved.preferences
        args = MultiDict(
            [("pace_kind", data.get("pace_kind", "units")), ("pace", str(data.get("pace", 2)))]
            + [("modalities", m) for m in data.get("modalities", ())]
            + [("centres", c) for c in data.get("centres", ())]
            + [(f"unit_{code}", "pin") for code in saved.pinned]
            + [(f"unit_{code}", "remove") for code in saved.removed]
        )
    form = PreferencesForm(formdata=args or None)
    form.centres.choices = _centre_choices()
    return form, args


@bp.route("/plan/<int:enrolment_id>")
@roles_required(Role.LEARNER)
def plan(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    saved = planning.plan_for(enrolment.id)
    form, args = _form(request.args, saved)
    today = utcnow().date()
    catalog = planning.catalogue_from_database()
    program = planning.enrolment_program(enrolment, catalog)
    record = learner_record(enrolment.learner, today)
    validated, registered = held_units(program, record)
    codes = [
        code
        for code in planning.program_units(program)
        if code in catalog.units and code not in validated and code not in registered
    ]
    proposal = None
    pinned, removed = _unit_choices(args, codes)
    if form.validate() if args else True:
        preferences = form.preferences() if args else Preferences(modalities=frozenset(form.modalities.data or ()))
        proposal = planning.propose(enrolment, preferences, pinned, removed, today, catalog, record).plan
    params = urlencode(list(args.items(multi=True))) if args else ""
    return render_template(
        "progress/planner.html",
        enrolment=enrolment,
        program=program,
        units=catalog.units,
        codes=codes,
        choices=UNIT_CHOICES,
        pinned=set(pinned),
        removed=set(removed),
        form=form,
        proposal=proposal,
        saved=saved,
        start=start_term(today),
        save_form=SavePlanForm(params=params),
        delete_form=DeletePlanForm(),
        problem_text=problem_text,
    )


@bp.route("/plan/<int:enrolment_id>/save", methods=["POST"])
@roles_required(Role.LEARNER)
def save(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    save_form = SavePlanForm()
    if not save_form.validate_on_submit():
        abort(400)
    from urllib.parse import parse_qsl

    args = MultiDict(parse_qsl(save_form.params.data or "", keep_blank_values=True))
    form, args = _form(args, None)
    if args and not form.validate():
        flash(_("Check your preferences before saving."), "warning")
        return redirect(url_for(".plan", enrolment_id=enrolment.id))
    catalog = planning.catalogue_from_database()
    program = planning.enrolment_program(enrolment, catalog)
    codes = [code for code in planning.program_units(program) if code in catalog.units]
    pinned, removed = _unit_choices(args, codes)
    preferences = form.preferences() if args else Preferences(modalities=frozenset(form.modalities.data or ()))
    proposal = planning.propose(enrolment, preferences, pinned, removed, utcnow().date(), catalog).plan
    if not proposal.works:
        flash(_("This plan does not complete the programme: it cannot be saved."), "warning")
        return redirect(url_for(".plan", enrolment_id=enrolment.id) + "?" + urlencode(list(args.items(multi=True))))
    planning.save_plan(enrolment, proposal, pinned, removed)
    flash(_("Your study plan is saved. You will be told if it stops working."), "success")
    return redirect(url_for(".plan", enrolment_id=enrolment.id))


@bp.route("/plan/<int:enrolment_id>/delete", methods=["POST"])
@roles_required(Role.LEARNER)
def delete(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    if not DeletePlanForm().validate_on_submit():
        abort(400)
    if planning.delete_plan(enrolment):
        flash(_("Your saved study plan is deleted."), "success")
    return redirect(url_for(".plan", enrolment_id=enrolment.id))
