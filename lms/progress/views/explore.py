"""The learner's cockpit, exploring: what if I were enrolled in another programme version (side by
side with mine, and the units that change status), and every programme ranked by what it still
lacks, with the certificates I can claim now. Audits computed on the fly from the learner's record
and the catalogue: a fixed number of statements whatever the learner's history."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_percent

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MY_STUDIES, NavItem
from lms.core.paging import page_of
from lms.core.time import utcnow
from lms.progress.audit import ranking, whatif
from lms.progress.audit.engine import audit
from lms.progress.audit.figures import Figures, figures_of
from lms.progress.forms.explore import WhatIfForm, split_key, version_key
from lms.progress.queries import catalogue_from_database, learner_programmes
from lms.progress.records import learner_record

bp = Blueprint("progress_explore", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    if user.has_role(Role.LEARNER) and user.learner is not None:
        return [NavItem(_l("Closest credentials"), "progress_explore.credentials", order=13, group=MY_STUDIES)]
    return []


CREDENTIALS_PER_PAGE = 25  # the whole catalogue is 355 programmes: the closest ones first, by pages


@bp.route("/credentials")
@roles_required(Role.LEARNER)
def credentials():
    learner = own_learner()
    today = utcnow().date()
    catalog = catalogue_from_database()
    record = learner_record(learner, today)
    ranked = ranking.rank(catalog.programs.values(), catalog.units, catalog.equivalences, record, today)
    ranked.sort(key=ranking.closest_key)  # the page's order, not ``lms rank``'s
    mine = {version.programme.code for _enrolment, version, _snapshot in learner_programmes(learner)}
    return render_template(
        "progress/credentials.html",
        ranked=ranked,  # the whole order (claimable certificates come from all of it)
        page=page_of(ranked, request.args.get("page", 1, type=int), CREDENTIALS_PER_PAGE),
        mine=mine,
        claimable=[r for r in ranked if r.claimable],
        key=version_key,
        today=today,
        percent=_percent,
    )


def _percent(share: float) -> tuple[int, str]:
    """A share done (0 to 1) as a whole percentage: the number (a ``<progress>`` value) and its
    words in the user's locale ("64 %"), rounded alike so the bar and the words agree."""
    value = round(share * 100)
    return value, format_percent(value / 100)


@bp.route("/what-if")
@roles_required(Role.LEARNER)
def what_if():
    learner = own_learner()
    today = utcnow().date()
    catalog = catalogue_from_database()
    mine = [(version.programme.code, version.version) for _enrolment, version, _snapshot in learner_programmes(learner)]
    form = WhatIfForm(request.args)
    form.offer(catalog.programs.values(), mine)
    chosen = current = None
    changes: list[whatif.UnitChange] = []
    if request.args and form.validate():
        target = catalog.programs.get(split_key(form.programme.data))
        if target is None:
            abort(404)
        compare = _compared(form.compare.data, target.code, mine)
        form.compare.data = version_key(*compare) if compare else None
        record = learner_record(learner, today)
        chosen = audit(target, catalog.units, catalog.equivalences, record, today)
        if compare is not None:
            current = audit(catalog.programs[compare], catalog.units, catalog.equivalences, record, today)
            changes = whatif.status_changes(current, chosen)
            if compare[0] != target.code:  # another programme: only the units held matter
                changes = whatif.held_changes(changes)
    status = 400 if request.args and form.errors else 200
    return render_template(
        "progress/whatif.html",
        form=form,
        chosen=chosen,
        current=current,
        changes=changes,
        figures=_figures(catalog, chosen=chosen, current=current),
        units=catalog.units,
        programs=catalog.programs,
    ), status


def _figures(catalog, **results) -> dict[str, Figures | None]:
    """Each audit's figures, worded as on the learner's dashboard."""
    unit_ects = {code: unit.ects for code, unit in catalog.units.items()}
    return {name: figures_of(result, None, unit_ects) if result else None for name, result in results.items()}


def _compared(asked: str | None, code: str, mine: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The learner's programme version to compare with: the one asked for if it is theirs, else
    their version of the same programme, else their first."""
    if asked and split_key(asked) in mine:
        return split_key(asked)
    same = [pair for pair in mine if pair[0] == code]
    return (same or mine or [None])[0]
