"""The learner record for programme directors and administrators: programmes and stored audits,
UA decisions, credits and substitutions with who decided and when, and the forms to decide."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import learner_or_404
from lms.accounts.models import Learner, Role
from lms.catalog.directors import may_see_learner
from lms.catalog.models import Programme, Unit
from lms.catalog.queries import FreeSlot
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt, show_on_form
from lms.extensions import db
from lms.progress import cockpit, queries
from lms.progress.forms import ActivityDecisionForm, GrantCreditForm, LearnerSearchForm, RevokeForm, SubstitutionForm
from lms.results import decisions
from lms.results.models import ActivityDecision, Credit, CreditSource, Decision, Substitution

bp = Blueprint("learners", __name__, url_prefix="/learners")
STAFF = (Role.DIRECTOR, Role.ADMIN)


@bp.route("/")
@roles_required(*STAFF)
def search():
    form = LearnerSearchForm(request.args)
    found = queries.search_learners(form.q.data, current_user) if form.validate() and form.q.data else []
    return render_template("progress/learners.html", form=form, found=found)


def _learner(number: str) -> Learner:
    """The learner of the record: 404 if unknown, 403 unless the user directs one of their programmes."""
    learner = learner_or_404(number)
    deny_unless(may_see_learner(current_user, learner))
    return learner


@dataclass
class DecisionForms:
    activity: ActivityDecisionForm
    grant: GrantCreditForm
    substitution: SubstitutionForm


def _decision_forms(learner: Learner) -> DecisionForms:
    """The decision forms, offering the learner's programmes (optional for a credit)."""
    programmes = [SelectChoice(code, code) for code in queries.learner_programme_codes(learner)]
    grant = GrantCreditForm(prefix="credit")
    grant.programme.choices = [SelectChoice("", _("— none —")), *programmes]
    substitution = SubstitutionForm(prefix="subst")
    substitution.programme.choices = programmes
    return DecisionForms(ActivityDecisionForm(prefix="ua"), grant, substitution)


@bp.route("/<number>")
@roles_required(*STAFF)
def record(number: str):
    learner = _learner(number)
    return _page(learner, _decision_forms(learner))


def _page(learner: Learner, forms: DecisionForms, status: int = 200):
    programmes = cockpit.programmes_with_figures(learner)
    codes = {code for p in programmes if p.snapshot for code in cockpit.leaf_codes(p.result["requirements"])}
    return render_template(
        "progress/learner.html",
        learner=learner,
        programmes=programmes,
        units=cockpit.units_by_code(codes),  # the titles and ECTS of the requirement trees' units
        activities=queries.activity_decisions(learner),
        credits=queries.credit_decisions(learner),
        substitutions=queries.substitution_decisions(learner),
        forms=forms,
        revoke=RevokeForm(prefix="revoke"),
    ), status


def _unit(code: str, form_field) -> Unit | None:
    try:
        return decisions.unit_named(code)
    except decisions.DecisionError as refusal:
        form_field.errors.append(str(refusal))
        return None


def _replaced(code: str, form_field, programme: Programme | None) -> Unit | FreeSlot | None:
    """What a substitution stands for: a free slot of the programme's tree, else a unit."""
    try:
        return decisions.replaced_named(code, programme)
    except decisions.DecisionError as refusal:
        form_field.errors.append(str(refusal))
        return None


def _decide(call):
    """What ``call`` returns, or its refusal (nothing of it kept); a refused access answers 403."""
    with attempt() as outcome:
        done = call()
    return outcome.refusal if outcome.refused else done


@bp.route("/<number>/activities", methods=["POST"])
@roles_required(*STAFF)
def decide_activity(number: str):
    learner = _learner(number)
    forms = _decision_forms(learner)
    form = forms.activity
    if form.validate_on_submit():
        unit = _unit(form.unit.data, form.unit)
        if unit is not None:
            outcome = _decide(
                lambda: decisions.decide_activity(
                    current_user,
                    learner,
                    unit,
                    Decision(form.decision.data),
                    form.decided_on.data,
                    form.evidence.data,
                    form.grade.data,
                )
            )
            if not isinstance(outcome, Exception):
                flash(_("Decision on %(code)s recorded.", code=unit.code), "success")
                return redirect(url_for("learners.record", number=learner.learner_number))
            show_on_form(form, outcome, field="unit")
    return _page(learner, forms, 400)


@bp.route("/<number>/credits", methods=["POST"])
@roles_required(*STAFF)
def grant_credit(number: str):
    learner = _learner(number)
    forms = _decision_forms(learner)
    grant = forms.grant
    if grant.validate_on_submit():
        unit = _unit(grant.unit.data, grant.unit)
        programme = (
            db.session.scalar(sa.select(Programme).where(Programme.code == grant.programme.data))
            if grant.programme.data
            else None
        )
        if unit is not None:
            outcome = _decide(
                lambda: decisions.grant_credit(
                    current_user,
                    learner,
                    unit,
                    CreditSource(grant.source.data),
                    grant.granted_on.data,
                    grant.reason.data,
                    programme,
                )
            )
            if not isinstance(outcome, Exception):
                flash(_("Credit for %(code)s recorded.", code=unit.code), "success")
                return redirect(url_for("learners.record", number=learner.learner_number))
            show_on_form(grant, outcome, field="unit")
    return _page(learner, forms, 400)


@bp.route("/<number>/substitutions", methods=["POST"])
@roles_required(*STAFF)
def add_substitution(number: str):
    learner = _learner(number)
    forms = _decision_forms(learner)
    substitution = forms.substitution
    if substitution.validate_on_submit():
        substitute = _unit(substitution.substitute.data, substitution.substitute)
        programme = db.session.scalar(sa.select(Programme).where(Programme.code == substitution.programme.data))
        replaced = _replaced(substitution.replaced.data, substitution.replaced, programme)
        if substitute is not None and replaced is not None and programme is not None:
            outcome = _decide(
                lambda: decisions.add_substitution(
                    current_user,
                    learner,
                    programme,
                    substitute,
                    replaced,
                    substitution.reason.data,
                    counted_ects=substitution.counted_ects.data,
                )
            )
            if not isinstance(outcome, Exception):
                flash(
                    _("%(a)s now stands for %(b)s in %(p)s.", a=substitute.code, b=replaced.code, p=programme.code),
                    "success",
                )
                return redirect(url_for("learners.record", number=learner.learner_number))
            show_on_form(substitution, outcome, field="replaced")
    return _page(learner, forms, 400)


# What can be revoked from the record: the row and the service that revokes it.
REVOCABLE = {
    "activities": (ActivityDecision, decisions.revoke_activity_decision),
    "credits": (Credit, decisions.revoke_credit),
    "substitutions": (Substitution, decisions.revoke_substitution),
}


@bp.route("/<number>/<any(activities, credits, substitutions):kind>/<int:decision_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def revoke(number: str, kind: str, decision_id: int):
    learner = _learner(number)
    model, revoke_row = REVOCABLE[kind]
    row = db.session.get(model, decision_id)
    if row is None or row.learner_id != learner.id:
        abort(404)
    return _revoke(learner, lambda reason: revoke_row(current_user, row, reason))


def _revoke(learner: Learner, call):
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        flash(_("Give a reason to revoke a decision."), "danger")
        return redirect(url_for("learners.record", number=learner.learner_number))
    outcome = _decide(lambda: call(form.reason.data))
    if isinstance(outcome, Exception):
        flash(_decision_message(outcome), "danger")
    else:
        flash(_("Decision revoked; it stays on the record."), "success")
    return redirect(url_for("learners.record", number=learner.learner_number))


def _decision_message(error: Exception) -> str:
    return str(error)  # decisions' messages are already translated


__all__ = ["bp"]
