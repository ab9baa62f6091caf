"""Juries: the programmes a user may award, and per programme the eligibility list with the jury
decision form, its awards and its jury sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.models import Role
from lms.awards import queries, services
from lms.awards.forms import JuryDecisionForm
from lms.awards.views import bp
from lms.catalog.labels import PROGRAMME_KIND
from lms.core.access import deny_unless, login_required, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.refusals import attempt


@bp.route("/awards")
@login_required
def index():
    programmes = queries.awardable_programmes(current_user)
    learner = current_user.learner if Role.LEARNER in current_user.roles else None
    mine = queries.learner_awards(learner) if learner is not None else []
    staff = current_user.has_role(Role.DIRECTOR, Role.ADMIN)
    deny_unless(staff or learner is not None)
    return render_template(
        "awards/index.html", programmes=programmes, mine=mine, staff=staff, is_learner=learner is not None
    )


@bp.route("/awards/programmes/<code>", methods=["GET", "POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def programme(code: str):
    found = queries.programme_by_code(code)
    if found is None:
        abort(404)
    deny_unless(services.may_award(current_user, found))
    eligible = queries.eligible(found)
    by_key = {row.key: row for row in eligible}
    form = JuryDecisionForm()
    form.candidates.choices = [(row.key, f"{row.name} ({row.learner_number})") for row in eligible]
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            candidates = [
                services.Candidate(by_key[key].learner_id, by_key[key].programme_version_id)
                for key in form.candidates.data
            ]
            with attempt(form, field="candidates") as outcome:
                awards = services.grant_awards(
                    current_user, candidates, form.decided_on.data, form.jury.data, form.mention.data or None
                )
            if outcome.status == 409:
                status = 409
            elif not outcome.refused:
                flash(ngettext("%(num)d certificate awarded.", "%(num)d certificates awarded.", len(awards)), "success")
                return redirect(url_for(".programme", code=found.code))
    awards = queries.programme_awards(found)
    return render_template(
        "awards/programme.html",
        programme=found,
        eligible=eligible,
        form=form,
        awards=awards,
        sessions=queries.jury_sessions(awards),
        kinds=PROGRAMME_KIND,
        mentions=services.MENTIONS,
        problem=_("The decision was not recorded.") if status >= 400 else None,
    ), status
