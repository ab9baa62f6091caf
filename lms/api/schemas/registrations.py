"""A learner's registrations: read, register for an offering, withdraw."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lms.api.schemas.common import PageInfo, PageQuery
from lms.api.schemas.offerings import ModalityValue, SemesterValue

StatusValue = Literal["registered", "waitlisted", "withdrawn"]


class LearnerNumberPath(BaseModel):
    number: str = Field(max_length=20, description="The learner's number.")


class RegistrationPath(LearnerNumberPath):
    registration_id: int = Field(ge=1, le=2**31 - 1)


class RegistrationQuery(PageQuery):
    status: StatusValue | None = None


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offering_id: int = Field(ge=1, le=2**31 - 1)


class RegistrationOut(BaseModel):
    id: int
    learner_number: str
    offering_id: int
    unit: str
    title: str
    academic_year: int
    semester: SemesterValue
    modality: ModalityValue
    centre: str
    status: StatusValue
    status_changed_at: datetime | None


class RegistrationList(BaseModel):
    items: list[RegistrationOut]
    total: int
    page: PageInfo


class RegistrationDone(RegistrationOut):
    message: str = Field(description="What the page would say (registered, on the waiting list, withdrawn).")
