"""The learner's cockpit: the dashboard of their programmes and the requirement tree of one."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MY_STUDIES, NavItem
from lms.core.time import academic_year_label, utcnow
from lms.progress import cockpit
from lms.progress.audit.report import missing_leaves
from lms.timetable.labels import modality_label, semester_label

bp = Blueprint("progress_cockpit", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    if user.has_role(Role.LEARNER) and user.learner is not None:
        return [NavItem(_l("My progress"), "progress_cockpit.dashboard", order=11, group=MY_STUDIES)]
    return []


# The other tools of the cockpit, by endpoint (shown when their area is loaded).
TOOLS = (
    ("progress_documents.timeline", _l("My timeline")),
    ("progress_documents.transcript", _l("My transcript (PDF)")),
    ("progress_explore.credentials", _l("Closest credentials")),
    ("progress_explore.what_if", _l("What if…")),
    ("progress_planner.index", _l("My study plan")),
)


def _tools() -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label in TOOLS if endpoint in current_app.view_functions]


@bp.route("/")
@roles_required(Role.LEARNER)
def dashboard():
    learner = own_learner()
    return render_template(
        "progress/dashboard.html",
        learner=learner,
        programmes=cockpit.dashboard(learner, utcnow().date()),
        recent=cockpit.recent_results(learner),
        cockpit_links=_tools(),
    )


@bp.route("/programmes/<code>")
@roles_required(Role.LEARNER)
def programme(code: str):
    learner = own_learner()
    today = utcnow().date()
    found = cockpit.programme_progress(learner, code.upper())
    if found is None or found.snapshot is None:
        abort(404)
    tree = found.result["requirements"]
    missing = missing_leaves(tree)
    offerings = cockpit.next_offerings(missing, today)
    units = cockpit.units_by_code(cockpit.leaf_codes(tree) + list(found.result.get("unused", ())))
    return render_template(
        "progress/programme.html",
        learner=learner,
        progress=found.with_figures({unit_code: unit.ects for unit_code, unit in units.items()}),
        units=units,
        where_to_take={code: _where(offerings.get(code, ())) for code in missing},
    )


def _where(offerings) -> str:
    if not offerings:
        return _("No offering published yet.")
    return _(
        "Next offerings: %(list)s",
        list="; ".join(
            _(
                "%(year)s, %(semester)s · %(modality)s · %(centre)s",
                year=academic_year_label(o.academic_year),
                semester=semester_label(o.semester),
                modality=modality_label(o.modality),
                centre=o.centre,
            )
            for o in offerings
        ),
    )
