"""Offerings (a unit taught in a year, semester, modality and centre) as the learner catalogue
shows them, and their meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from lms.api.schemas.common import Ects, PageInfo, PageQuery

SemesterValue = Literal["S1", "S2", "A"]
ModalityValue = Literal[
    "presentiel_jour",
    "presentiel_soir",
    "hybride_jour",
    "hybride_soir",
    "foad",
    "distance_planifiee_jour",
    "distance_planifiee_soir",
]


class OfferingQuery(PageQuery):
    """The filters of the learner catalogue page."""

    programme: str | None = Field(
        None, max_length=40, description='A programme code, or "mine": units counting toward it.'
    )
    year: int | None = Field(None, ge=1990, le=2100, description="Academic year; default: this one and the next.")
    semester: SemesterValue | None = None
    modality: ModalityValue | None = None
    centre: int | None = Field(None, ge=1, le=2**31 - 1, description="A centre's id.")
    evening: bool = Field(False, description="Evening or Saturday offerings only.")
    distance: bool = Field(False, description="Distance offerings only (hybrid ones included).")
    unit: str | None = Field(None, max_length=100, description="Words of the unit's code or title.")


class OfferingPath(BaseModel):
    offering_id: int = Field(ge=1, le=2**31 - 1)


class UnitBrief(BaseModel):
    code: str
    title: str
    ects: Ects


class CentreOut(BaseModel):
    id: int
    code: str
    name: str
    city: str
    timezone: str


class WindowOut(BaseModel):
    opens_on: date | None
    closes_on: date | None
    state: Literal["not_yet", "open", "closed"] = Field(description="Where today falls in the registration window.")


class PlacementOut(BaseModel):
    """Where the unit counts in one of the caller's programmes."""

    programme: str
    group_kind: Literal["all", "choose", "credits"] | None = None
    group_label: str | None = None
    via: str | None = Field(None, description="The unit of the programme it counts as, by equivalence.")


class OfferingOut(BaseModel):
    id: int
    unit: UnitBrief
    academic_year: int
    semester: SemesterValue
    semester_label: str
    modality: ModalityValue
    modality_label: str
    centre: CentreOut
    capacity: int | None = Field(description="None: no limit.")
    registered: int
    waitlisted: int
    places_left: int | None = Field(description="None: no limit.")
    registration: WindowOut
    exam1_on: date | None
    exam2_on: date | None
    my_status: Literal["registered", "waitlisted", "withdrawn"] | None = Field(
        description="The caller's own registration (learners)."
    )
    validated: bool = Field(description="The caller has validated the unit already (learners).")
    placements: list[PlacementOut]


class OfferingList(BaseModel):
    items: list[OfferingOut]
    total: int
    page: PageInfo


class MeetingOut(BaseModel):
    id: int
    offering_id: int
    starts_at: datetime = Field(description="In the centre's wall clock, with its UTC offset.")
    ends_at: datetime
    timezone: str
    mode: Literal["in_person", "remote", "both"]
    status: Literal["scheduled", "cancelled"]
    room: str | None = Field(description="Shown when someone meets in person.")
    video_url: str | None = Field(description="Shown when someone connects, unless cancelled.")
    notice: str | None
    attendance_recorded: int | None = Field(None, description="Learners recorded (tutors and administrators).")


class MeetingList(BaseModel):
    items: list[MeetingOut]
    total: int
    page: PageInfo
