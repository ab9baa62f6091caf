"""Offerings with the filters of the learner catalogue page, one offering, and its meetings as
the pages show them to the caller: a learner sees the catalogue (this academic year and the next,
with their own status and where each unit fits in their programmes) and the meetings of the
offerings they are registered for, without the room of a remote meeting or the link of an
in-person or cancelled one; an offering's tutors and administrators see its meetings whole."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Role
from lms.api.schemas.common import PageInfo, PageQuery, Problem
from lms.api.schemas.offerings import (
    CentreOut,
    MeetingList,
    MeetingOut,
    OfferingList,
    OfferingOut,
    OfferingPath,
    OfferingQuery,
    PlacementOut,
    UnitBrief,
    WindowOut,
)
from lms.api.views import bp
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.paging import page_of
from lms.core.problems import problem
from lms.core.time import academic_year_label, local_time, utcnow
from lms.extensions import db
from lms.timetable.labels import modality_label, semester_label
from lms.timetable.models import Meeting, MeetingMode, MeetingStatus, Offering, RegistrationStatus
from lms.timetable.queries import attendance as attendance_queries
from lms.timetable.queries import learner_meetings, offering_catalogue, programme_fit
from lms.timetable.queries.tutors import is_tutor_of
from lms.timetable.services.meetings import aware

TAG = Tag(name="offerings", description="Offerings (the learner catalogue's filters) and their meetings.")


def caller_learner():
    """The caller's learner profile when they are a learner; staff without one get None, anyone
    else is refused (403)."""
    learner = current_user.learner if current_user.has_role(Role.LEARNER) else None
    deny_unless(learner is not None or current_user.has_role(Role.ADMIN, Role.TUTOR))
    return learner


def is_staff_of(offering: Offering) -> bool:
    return current_user.has_role(Role.ADMIN) or is_tutor_of(current_user, offering)


def _invalid(field: str, message: str):
    return problem(422, message, _("Invalid data"), errors=[{"field": field, "message": message}])


def _filters(query: OfferingQuery, learner, today):
    """The catalogue's filters and programme context, or the 422 answer for a value the page
    does not offer."""
    mine = programme_fit.enrolled_programme_codes(learner) if learner else []
    years = offering_catalogue.catalogue_years(today)
    if learner is not None and not current_user.has_role(Role.ADMIN) and query.year not in (None, *years):
        return (
            None,
            None,
            _invalid(
                "year",
                _(
                    "Choose an academic year of the catalogue: %(first)s or %(second)s.",
                    first=academic_year_label(years[0]),
                    second=academic_year_label(years[1]),
                ),
            ),
        )
    programme = query.programme or ""
    extra = None
    if programme == offering_catalogue.MINE:
        if not mine:
            return None, None, _invalid("programme", _("You are enrolled in no programme."))
    elif programme and programme not in mine:
        tree = programme_fit.latest_tree(programme)
        if tree is None:
            return None, None, _invalid("programme", _("No programme has this code."))
        extra = (programme, tree)
    filters = offering_catalogue.CatalogueFilters(
        programme=programme,
        year=query.year,
        semester=query.semester or "",
        modality=query.modality or "",
        centre=query.centre,
        evening=query.evening,
        distance=query.distance,
        unit=(query.unit or "").strip(),
    )
    return filters, programme_fit.programme_context(learner, extra), None


def _placement(placement) -> PlacementOut:
    group = placement.group
    return PlacementOut(
        programme=placement.programme,
        group_kind=group.kind if group else None,
        group_label=group.label if group else None,
        via=placement.via,
    )


def offering_out(line) -> dict:
    offering, unit, centre = line.offering, line.unit, line.centre
    return OfferingOut(
        id=offering.id,
        unit=UnitBrief(code=unit.code, title=unit.title, ects=float(unit.ects)),
        academic_year=offering.academic_year,
        semester=offering.semester.value,
        semester_label=semester_label(offering.semester),
        modality=offering.modality.value,
        modality_label=modality_label(offering.modality),
        centre=CentreOut(id=centre.id, code=centre.code, name=centre.name, city=centre.city, timezone=centre.timezone),
        capacity=offering.capacity,
        registered=line.registered,
        waitlisted=line.waitlisted,
        places_left=line.places_left,
        registration=WindowOut(
            opens_on=offering.registration_opens_on,
            closes_on=offering.registration_closes_on,
            state=line.window.value,
        ),
        exam1_on=offering.exam1_on,
        exam2_on=offering.exam2_on,
        my_status=line.my_status.value if line.my_status else None,
        validated=line.validated,
        placements=[_placement(p) for p in line.placements],
    ).model_dump(mode="json")


@bp.get(
    "/offerings",
    tags=[TAG],
    responses={200: OfferingList, 422: Problem},
    summary="Offerings with the learner catalogue's filters, in calendar order",
)
@roles_required(Role.LEARNER, Role.ADMIN)
def offering_list(query: OfferingQuery):
    learner = caller_learner()
    today = utcnow().date()
    filters, context, refused = _filters(query, learner, today)
    if refused is not None:
        return refused
    page = offering_catalogue.catalogue_page(learner, filters, context, today, query.page, query.limit)
    return OfferingList(
        items=[offering_out(line) for line in page.rows],
        total=page.total,
        page=PageInfo(page=page.page, limit=page.per_page, has_next=page.has_next),
    ).model_dump(mode="json")


def visible_offering(offering_id: int) -> tuple[Offering, object, bool]:
    """The offering, the caller's learner profile and whether they are its staff; 404 for an
    offering a learner cannot know (outside the catalogue's years and never registered)."""
    learner = caller_learner()
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    if is_staff_of(offering):
        return offering, learner, True
    if learner is None:
        abort(404)
    if offering.academic_year not in offering_catalogue.catalogue_years(utcnow().date()):
        if learner_meetings.learner_registration(learner.id, offering.id) is None:
            abort(404)
    return offering, learner, False


@bp.get(
    "/offerings/<int:offering_id>",
    tags=[TAG],
    responses={200: OfferingOut, 404: Problem},
    summary="One offering, as a line of the catalogue",
)
@roles_required(Role.LEARNER, Role.TUTOR, Role.ADMIN)
def offering_one(path: OfferingPath):
    found, learner, _staff = visible_offering(path.offering_id)
    context = programme_fit.programme_context(learner) if learner else programme_fit.ProgrammeContext()
    line = offering_catalogue.offering_line(learner, found.id, context, utcnow().date())
    return offering_out(line)


def _meeting(meeting: Meeting, timezone: str, *, staff: bool, recorded: int | None = None) -> MeetingOut:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if staff:
        room, video = meeting.room, meeting.video_url
    else:  # as the learner's timetable shows it
        room = meeting.room if meeting.mode != MeetingMode.REMOTE else None
        video = meeting.video_url if meeting.mode != MeetingMode.IN_PERSON and not cancelled else None
    return MeetingOut(
        id=meeting.id,
        offering_id=meeting.offering_id,
        starts_at=local_time(aware(meeting.starts_at), timezone),
        ends_at=local_time(aware(meeting.ends_at), timezone),
        timezone=timezone,
        mode=meeting.mode.value,
        status=meeting.status.value,
        room=room,
        video_url=video,
        notice=meeting.notice,
        attendance_recorded=recorded if staff else None,
    )


@bp.get(
    "/offerings/<int:offering_id>/meetings",
    tags=[TAG],
    responses={200: MeetingList, 404: Problem},
    summary="The offering's meetings in time order (its learners, tutors and administrators)",
)
@roles_required(Role.LEARNER, Role.TUTOR, Role.ADMIN)
def offering_meetings(path: OfferingPath, query: PageQuery):
    found, learner, staff = visible_offering(path.offering_id)
    timezone = found.centre.timezone
    if staff:
        items = [
            _meeting(line.meeting, timezone, staff=True, recorded=line.recorded)
            for line in attendance_queries.offering_meetings(found)
        ]
    else:
        registration = learner_meetings.learner_registration(learner.id, found.id)
        deny_unless(registration is not None and registration.status is RegistrationStatus.REGISTERED)
        items = [
            _meeting(line.meeting, timezone, staff=False)
            for line in learner_meetings.offering_meetings(learner.id, found.id)
        ]
    page = page_of(items, query.page, query.limit)
    return MeetingList(
        items=list(page.rows),
        total=page.total,
        page=PageInfo(page=page.page, limit=page.per_page, has_next=page.has_next),
    ).model_dump(mode="json")
