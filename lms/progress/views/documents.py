"""The learner's cockpit: documents pages. The multi-year timeline (an SVG chart with its table)
and the transcript as a PDF, for the learner, and for a director or an administrator from the
learner record."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from lms.accounts.access import learner_or_404, own_learner
from lms.accounts.models import Learner, Role
from lms.catalog.directors import may_see_learner
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.navigation import NavItem
from lms.core.plugin import format_ects, format_grade
from lms.core.time import utcnow
from lms.progress import charts, history, transcript_pdf

bp = Blueprint("progress_documents", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    # Reached from the cockpit's tools ("My progress"), not from the main menu, which is full: one
    # more learner item pushes the navigation bar past a 1280 px wide window.
    return []


# --- the timeline --------------------------------------------------------------------------------------


def chart_labels() -> charts.ChartLabels:
    return charts.ChartLabels(
        title=_("My units year by year"),
        description=_(
            "Each academic year with the units taken in semester 1, semester 2 or over the whole year, their "
            "status, and the ECTS validated that year and in total. The table below gives the same information."
        ),
        year=_("Year"),
        semesters={"S1": _("Semester 1"), "S2": _("Semester 2"), "A": _("Whole year")},
        statuses=status_labels(),
        ects_heading=_("ECTS: year / total"),
        year_ects=_("{year} ECTS this year, {total} in total"),
        empty=_("No unit yet."),
    )


def status_labels() -> dict[str, str]:
    return {
        "validated": _("validated"),
        "failed": _("not validated"),
        "in_progress": _("in progress"),
        "credit": _("credit (VES, VAE, exemption, transfer)"),
    }


def _detail(line: history.Attempt) -> str:
    parts = [line.title]
    if line.grade is not None:
        parts.append(_("%(grade)s/20", grade=format_grade(line.grade)))
    if line.credit_source:
        parts.append(line.credit_source.upper())
    return " — ".join(parts)


@bp.route("/timeline")
@roles_required(Role.LEARNER)
def timeline():
    learner = own_learner()
    lines = history.learner_history(learner)
    marks = [
        charts.Mark(line.code, line.academic_year, line.semester, line.status, line.ects, _detail(line))
        for line in lines
    ]
    svg = charts.timeline_svg(marks, chart_labels(), id_prefix="timeline", number=format_ects)
    return render_template(
        "progress/timeline.html",
        learner=learner,
        lines=lines,
        totals=charts.year_totals(marks),
        svg=Markup(svg),  # built with ElementTree: every text and attribute is escaped
        status_labels=status_labels(),
        semester_names={"S1": _("Semester 1"), "S2": _("Semester 2"), "A": _("Whole year")},
    )


# --- the transcript ------------------------------------------------------------------------------------


def _document_locale() -> str:
    """``?lang=fr|en``, else the reader's interface language."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang", "")
    if asked in languages:
        return asked
    current = str(get_locale() or "")
    return current if current in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _transcript_response(learner: Learner):
    locale = _document_locale()
    document = transcript_pdf.transcript(learner, utcnow().date())
    html = transcript_pdf.render_html(document, locale)  # in the document's language
    pdf = transcript_pdf.render_pdf(html, base_url=request.url_root)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{transcript_pdf.filename(document)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/transcript.pdf")
@roles_required(Role.LEARNER)
def transcript():
    return _transcript_response(own_learner())


@roles_required(Role.DIRECTOR, Role.ADMIN)
def learner_transcript(number: str):
    """A learner's transcript from the learner record: administrators for anyone, a director for
    learners enrolled in a programme they direct."""
    learner = learner_or_404(number)
    deny_unless(may_see_learner(current_user, learner))
    return _transcript_response(learner)


# Beside the learner record (/learners/<number>), outside this blueprint's /me prefix.
bp.record(
    lambda state: state.app.add_url_rule(
        "/learners/<number>/transcript.pdf", f"{bp.name}.learner_transcript", learner_transcript
    )
)


__all__ = ["bp", "nav_items"]
