"""Timetable pages for the learner audience: the offering catalogue, registering and withdrawing,
the timetable (week and list), and the personal calendar feed."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.core.access import public, roles_required
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import CATALOGUE, MY_CLASSES, NavItem
from lms.core.refusals import attempt
from lms.core.time import utcnow
from lms.extensions import db
from lms.timetable.forms.learner import SEMESTERS, ActionForm, CatalogueFilterForm
from lms.timetable.models import Offering, RegistrationStatus, Semester
from lms.timetable.queries import learner_meetings, offering_catalogue, programme_fit
from lms.timetable.services import calendars, registrations

bp = Blueprint("timetable_learner", __name__)

PER_PAGE = 25


def nav_items(user) -> list[NavItem]:
    if Role.LEARNER not in user.roles or user.learner is None:
        return []
    return [
        NavItem(_l("Offerings"), "timetable_learner.catalogue", order=40, group=CATALOGUE),
        NavItem(_l("My timetable"), "timetable_learner.timetable", order=41, group=MY_CLASSES),
    ]


def _offering(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    return offering


def _today() -> date:
    return utcnow().date()


def _back() -> str:
    """Where to return after an action: the catalogue page it was sent from (same site only)."""
    target = request.form.get("back", "")
    if target.startswith("/offerings") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(".catalogue")


def _filters(form: CatalogueFilterForm) -> offering_catalogue.CatalogueFilters:
    def number(text: str | None) -> int | None:
        return int(text) if text and text.isdigit() else None

    return offering_catalogue.CatalogueFilters(
        programme=form.programme.data or "",
        year=number(form.year.data),
        semester=form.semester.data or "",
        modality=form.modality.data or "",
        centre=number(form.centre.data),
        evening=bool(form.evening.data),
        distance=bool(form.distance.data),
    )


# --- the catalogue ------------------------------------------------------------------------------


@bp.route("/offerings")
@roles_required(Role.LEARNER)
def catalogue():
    learner = own_learner()
    today = _today()
    years = offering_catalogue.catalogue_years(today)
    mine = programme_fit.enrolled_programme_codes(learner)
    programmes = programme_fit.programme_choices()
    form = CatalogueFilterForm(request.args)
    form.fill(mine, programmes, years, offering_catalogue.centre_choices())
    if not form.validate():
        # a value that is not among the choices (an old bookmark, a hand-edited URL): drop it
        for name in list(form.errors):
            field = getattr(form, name)
            field.data, field.errors = "", []
    filters = _filters(form)
    extra = None
    if filters.programme and filters.programme != offering_catalogue.MINE and filters.programme not in mine:
        tree = programme_fit.latest_tree(filters.programme)
        extra = (filters.programme, tree) if tree else None
    context = programme_fit.programme_context(learner, extra)
    page = offering_catalogue.catalogue_page(
        learner, filters, context, today, request.args.get("page", 1, type=int), PER_PAGE
    )
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "timetable/learner/catalogue.html",
        form=form,
        page=page,
        args=args,
        action=ActionForm(),
        back=request.full_path.rstrip("?"),
        mine=mine,
        today=today,
        semester_label=lambda value: SEMESTERS.get(Semester(value), value),
    )


@bp.route("/offerings/<int:offering_id>/register", methods=["POST"])
@roles_required(Role.LEARNER)
def register(offering_id: int):
    learner = own_learner()
    offering = _offering(offering_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with attempt() as outcome:
        row = registrations.register(learner, offering)
    if outcome.refused:
        return _refused(outcome.refusal)
    if row.status is RegistrationStatus.WAITLISTED:
        flash(
            _(
                "%(code)s is full: you are on its waiting list. You will be told when a place is yours.",
                code=offering.unit.code,
            ),
            "warning",
        )
    else:
        flash(_("You are registered for %(code)s.", code=offering.unit.code), "success")
    return redirect(_back())


@bp.route("/offerings/<int:offering_id>/withdraw", methods=["POST"])
@roles_required(Role.LEARNER)
def withdraw(offering_id: int):
    learner = own_learner()
    offering = _offering(offering_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    row = learner_meetings.learner_registration(learner.id, offering.id)
    if row is None:
        abort(404)
    with attempt() as outcome:
        registrations.withdraw(row)
    if outcome.refused:
        return _refused(outcome.refusal)
    flash(_("You have withdrawn from %(code)s.", code=offering.unit.code), "success")
    return redirect(_back())


def _refused(refused: Refusal):
    return (
        render_template("timetable/learner/refused.html", message=refused.message, back=_back()),
        refused.status,
    )


# --- the timetable ------------------------------------------------------------------------------


@bp.route("/timetable")
@roles_required(Role.LEARNER)
def timetable():
    learner = own_learner()
    text = request.args.get("week", "")
    try:
        day = date.fromisoformat(text) if text else _today()
    except ValueError:
        abort(400)
    if not date(1990, 1, 1) <= day <= date(2100, 12, 31):
        abort(400)
    monday = learner_meetings.week_start(day)
    return render_template(
        "timetable/learner/week.html",
        monday=monday,
        sunday=monday + timedelta(days=6),
        days=learner_meetings.week_meetings(learner.id, monday),
        previous=monday - timedelta(days=7),
        next=monday + timedelta(days=7),
        today=_today(),
    )


@bp.route("/timetable/list")
@roles_required(Role.LEARNER)
def timetable_list():
    learner = own_learner()
    upcoming, past = learner_meetings.upcoming_and_past(learner.id, utcnow())
    return render_template("timetable/learner/list.html", upcoming=upcoming, past=past)


# --- the calendar feed --------------------------------------------------------------------------


@bp.route("/calendar")
@roles_required(Role.LEARNER)
def calendar():
    learner = own_learner()
    feed = learner_meetings.feed_of(learner.id)
    url = url_for(".calendar_feed", token=feed.token, _external=True) if feed else None
    return render_template("timetable/learner/calendar.html", feed=feed, url=url, action=ActionForm())


@bp.route("/calendar/create", methods=["POST"])
@roles_required(Role.LEARNER)
def calendar_create():
    learner = own_learner()
    if not ActionForm().validate_on_submit():
        abort(400)
    calendars.create_feed(learner)
    flash(_("Your calendar feed is ready: copy its address into your calendar application."), "success")
    return redirect(url_for(".calendar"))


@bp.route("/calendar/revoke", methods=["POST"])
@roles_required(Role.LEARNER)
def calendar_revoke():
    learner = own_learner()
    if not ActionForm().validate_on_submit():
        abort(400)
    if calendars.revoke_feed(learner):
        flash(_("The calendar feed was revoked: its address no longer works."), "success")
    return redirect(url_for(".calendar"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    feed = learner_meetings.feed_by_token(token)
    if feed is None:
        abort(404)
    events = [calendars.event_from(line) for line in learner_meetings.feed_meetings(feed.learner_id)]
    body = calendars.calendar_ics(events, name=_("Cnam timetable"))
    calendars.mark_read(feed)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="timetable.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
