"""Intakes and their applications, for reviewers (administrators, and directors for the programmes
they direct), and the reviewers' decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lms.api.schemas.common import NO_NUL, PageInfo, PageQuery

Status = Literal["submitted", "accepted", "waitlisted", "rejected", "withdrawn"]


class IntakePath(BaseModel):
    intake_id: int = Field(ge=1, le=2**31 - 1)


class ApplicationPath(BaseModel):
    application_id: int = Field(ge=1, le=2**31 - 1)


class IntakeQuery(PageQuery):
    year: int | None = Field(None, ge=1990, le=2100, description="Academic year (2025: 2025-2026).")


class ApplicationQuery(PageQuery):
    status: Status | None = None
    flagged: bool | None = Field(None, description="Below the entry level without a VAPP request.")


class IntakeOut(BaseModel):
    id: int
    programme: str
    version: str
    title: str
    academic_year: int
    centre: str
    modality: str
    capacity: int | None
    applications_open_on: date
    applications_close_on: date
    starts_on: date
    counts: dict[str, int] = Field(description="Applications by status (drafts included).")


class IntakeList(BaseModel):
    items: list[IntakeOut]
    page: PageInfo


class ApplicationOut(BaseModel):
    id: int
    intake_id: int
    candidate: str
    email: str
    status: Literal["draft", "submitted", "accepted", "waitlisted", "rejected", "withdrawn"]
    prior_level: int | None
    diplomas: str | None
    current_job: str | None
    years_experience: int | None
    funding: str | None
    vapp_requested: bool
    flagged: bool = Field(description="Below the programme's entry level without a VAPP request.")
    documents: int
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None


class ApplicationList(BaseModel):
    items: list[ApplicationOut]
    page: PageInfo
    places_left: int | None = Field(description="Free places of the intake (null: no capacity limit).")


class DecisionIn(BaseModel):
    """A reviewer's decision, as on the review page: accept (enrols the candidate), waitlist or reject."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "waitlist", "reject"]
    reason: str | None = Field(
        None, max_length=2000, pattern=NO_NUL, description="Shown to the candidate; required to reject."
    )
