"""The report pages' figures as JSON: validation rates, time to diploma, intakes, cohorts and
dropout risks. ``computed_at`` is when a summary the task queue keeps was computed (the pages'
"Figures as of"); null when the figures were counted now."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from lms.api.schemas.common import CODE, PageInfo, PageQuery


class ReportQuery(BaseModel):
    programme: str | None = Field(None, pattern=CODE, description="Only this programme (one the caller reports on).")
    year: int | None = Field(None, ge=1990, le=2100, description="Academic year (2025: 2025-2026).")


class PagedReportQuery(ReportQuery, PageQuery):
    pass


class UnitRateOut(BaseModel):
    academic_year: int
    unit: str
    title: str
    exam_session: int
    graded: int
    validated: int
    absent: int
    rate: float | None = Field(description="validated / graded, 0 to 1 (null: nothing graded).")


class ValidationReport(BaseModel):
    items: list[UnitRateOut]
    page: PageInfo
    computed_at: datetime | None


class DurationOut(BaseModel):
    key: str = Field(description="A programme code or a modality ('' when unknown).")
    awards: int
    median_days: float | None
    median_years: float | None


class TimeToDiplomaReport(BaseModel):
    by_programme: list[DurationOut]
    by_modality: list[DurationOut]
    overall: DurationOut


class IntakeFigures(BaseModel):
    intake_id: int
    programme: str
    version: str
    academic_year: int
    centre: str
    modality: str
    capacity: int | None
    counts: dict[str, int] = Field(description="Applications by status.")
    submitted: int
    fill_rate: float | None


class FunnelOut(BaseModel):
    programme: str
    intakes: int
    capacity: int | None
    counts: dict[str, int]
    submitted: int
    fill_rate: float | None


class IntakesReport(BaseModel):
    intakes: list[IntakeFigures]
    programmes: list[FunnelOut]


class BinOut(BaseModel):
    low: int
    high: int
    learners: int


class CohortOut(BaseModel):
    programme: str
    version: str
    title: str
    nominal_ects: float
    learners: int
    median_ects: float | None
    bins: list[BinOut]


class CohortsReport(BaseModel):
    items: list[CohortOut]


class DormantOut(BaseModel):
    learner_number: str
    name: str
    email: str
    programme: str
    version: str
    enrolled_on: date
    last_registration_year: int | None
    last_result_at: datetime | None


class DropoutsReport(BaseModel):
    items: list[DormantOut]
    page: PageInfo
    computed_at: datetime | None
