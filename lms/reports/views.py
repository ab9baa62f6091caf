"""Report pages for administrators (every programme) and programme directors (their programmes),
each with its CSV and XLSX export."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_login import current_user

from lms.accounts.models import Role
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.time import academic_year, utcnow
from lms.reports import exports, queries
from lms.reports.charts import Bar, histogram_svg
from lms.reports.queries import Filters, Scope

bp = Blueprint("reports", __name__, url_prefix="/reports")

REPORTERS = (Role.ADMIN, Role.DIRECTOR)
YEARS_SHOWN = 10


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        abort(400)
    return int(value)


def _year_arg() -> int | None:
    year = _int_arg("year")
    if year is not None and not 1990 <= year <= 2100:
        abort(400)
    return year


def percent(value) -> str:
    return "—" if value is None else format_percent(value, "#,##0.0 %")


def decimal(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.#")


def _context() -> tuple[Scope, Filters, dict]:
    """The user's scope and the filters of the query string (a programme outside it: 403)."""
    scope = queries.scope_for(current_user)
    filters = Filters(programme_id=_int_arg("programme"), year=_year_arg())
    if filters.programme_id is not None:
        deny_unless(scope.allows(filters.programme_id))
    current = academic_year(utcnow().date())
    page = {
        "filters": filters,
        "programmes": queries.programme_choices(scope),
        "years": list(range(current + 1, current - YEARS_SHOWN, -1)),
        "export_args": {
            key: value
            for key, value in (("programme", filters.programme_id), ("year", filters.year))
            if value is not None
        },
        "restricted": scope.programme_ids is not None,
        "exporters": list(exports.exporters().values()),
        "percent": percent,
        "decimal": decimal,
    }
    return scope, filters, page


@bp.route("/")
@roles_required(*REPORTERS)
def index():
    _scope, _filters, page = _context()
    return render_template("reports/index.html", **page)


@bp.route("/intakes")
@roles_required(*REPORTERS)
def intakes():
    scope, filters, page = _context()
    as_of = queries.summary_moment(queries.INTAKES)  # None: no summary yet, counted now
    found = queries.intake_page(scope, filters, _int_arg("page") or 1, summarised=as_of is not None)
    return render_template(
        "reports/intakes.html",
        found=found,
        lines=found.rows,
        as_of=as_of,
        funnels=queries.funnels(scope, filters, summarised=as_of is not None),
        statuses=queries.FUNNEL,
        status_labels={status: exports.status_label(status) for status in queries.FUNNEL},
        **page,
    )


@bp.route("/cohorts")
@roles_required(*REPORTERS)
def cohorts():
    scope, filters, page = _context()
    found = queries.cohorts(scope, filters)
    charts = {}
    if filters.programme_id is not None:  # one chart per version of the chosen programme
        for cohort in found:
            charts[cohort.version_id] = histogram_svg(
                [Bar(f"{b.low}–{b.high}", b.learners) for b in cohort.bins],
                title=f"{cohort.programme_code} {cohort.version}",
                description=_(
                    "Learners by ECTS validated that count there: %(bins)s.",
                    bins="; ".join(f"{b.low}–{b.high}: {b.learners}" for b in cohort.bins),
                ),
                x_label=_("ECTS validated that count there"),
                y_label=_("Learners"),
                chart_id=f"cohort-{cohort.version_id}",
            )
    return render_template("reports/cohorts.html", cohorts=found, charts=charts, **page)


@bp.route("/time-to-diploma")
@roles_required(*REPORTERS)
def time_to_diploma():
    scope, filters, page = _context()
    # Administrators read the summary the task queue keeps; a director's programmes are few: live.
    as_of = queries.summary_moment(queries.DURATIONS) if scope.programme_ids is None else None
    if as_of is not None:
        report = queries.summarised_time_to_diploma(filters)
    else:
        report = queries.time_to_diploma(scope, filters)
    return render_template("reports/time_to_diploma.html", report=report, as_of=as_of, **page)


@bp.route("/dropouts")
@roles_required(*REPORTERS)
def dropouts():
    scope, filters, page = _context()
    number = _int_arg("page") or 1
    as_of = queries.activity_time()  # None: no summary yet, read from every registration and result
    if as_of is not None:
        found = queries.summarised_dormant_page(scope, filters, number)
    else:
        found = queries.dormant_page(scope, filters, utcnow().date(), number)
    return render_template("reports/dropouts.html", found=found, as_of=as_of, **page)


@bp.route("/validation")
@roles_required(*REPORTERS)
def validation():
    scope, filters, page = _context()
    number = _int_arg("page") or 1
    as_of = queries.summary_time()  # None: no summary yet, counted from the results now
    found = queries.validation_page(scope, filters, number, summarised=as_of is not None)
    return render_template("reports/validation.html", found=found, as_of=as_of, **page)


@bp.route("/<any(intakes, funnel, cohorts, 'time-to-diploma', dropouts, validation):report>.<kind>")
@roles_required(*REPORTERS)
def export(report: str, kind: str):
    exporter = exports.exporters().get(kind)
    if exporter is None:
        abort(404)
    scope, filters, _page = _context()
    today = utcnow().date()
    suffix = "".join(
        f"-{value}" for value in (filters.programme_id and f"p{filters.programme_id}", filters.year) if value
    )
    filename = f"{report}{suffix}-{today.isoformat()}.{kind}"
    return exporter.respond(exports.TABLES[report](scope, filters, today), filename)
