"""Directors' decisions on a learner: credits (VES, VAE, exemption, transfer), substitutions and UA
decisions, each with who decided, when and why; revoked ones stay, with their revocation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lms.api.schemas.common import CODE, NO_NUL, PageInfo

UnitCode = Field(pattern=r"^\s*[A-Za-z0-9]{3,12}\s*$", description="A unit code: 3 to 12 letters or digits.")
Reason = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class DecisionPath(BaseModel):
    number: str = Field(max_length=20, pattern=NO_NUL, description="The learner's number.")
    decision_id: int = Field(ge=1, le=2**31 - 1)


class Revocation(BaseModel):
    """Why the decision is revoked: it stays on the record, revoked."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Reason


class Revoked(BaseModel):
    revoked_at: datetime | None = Field(description="When it was revoked (null: it stands).")
    revoke_reason: str | None


class CreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str = UnitCode
    source: Literal["ves", "vae", "dispense", "transfer"]
    programme: str | None = Field(
        None, pattern=CODE, description="One of the learner's programmes; required for a VES."
    )
    granted_on: date | None = Field(None, description="The decision's day (today when left out; never in the future).")
    reason: str = Reason


class CreditOut(Revoked):
    id: int
    unit: str
    source: Literal["ves", "vae", "dispense", "transfer"]
    programme: str | None
    granted_on: date
    reason: str | None
    decided_by: str | None
    revoked_by: str | None


class CreditList(BaseModel):
    items: list[CreditOut]
    page: PageInfo


class SubstitutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme: str = Field(pattern=CODE, description="One of the learner's programmes.")
    substitute: str = Field(
        pattern=r"^\s*[A-Za-z0-9]{3,12}\s*$", description="A unit the learner holds validated or is registered for."
    )
    replaced: str = Field(
        pattern=r"^\s*[A-Za-z0-9]{3,12}\s*$", description="A unit of the programme's tree, or one of its free slots."
    )
    counted_ects: float | None = Field(
        None, gt=0, le=999, description="Only for a substitute worth fewer ECTS than what it replaces."
    )
    decided_on: date | None = Field(None, description="The decision's day (today when left out).")
    reason: str = Reason


class SubstitutionOut(Revoked):
    id: int
    programme: str
    substitute: str
    replaced: str
    counted_ects: float | None = Field(description="The ECTS counted there (null: those of the replaced unit).")
    substitute_registered: bool = Field(description="The learner was only registered for the substitute then.")
    decided_on: date
    reason: str
    decided_by: str | None


class SubstitutionList(BaseModel):
    items: list[SubstitutionOut]
    page: PageInfo


class UaDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str = UnitCode
    decision: Literal["validated", "not_validated"]
    decided_on: date | None = Field(None, description="The decision's day (today when left out).")
    evidence: str = Field(min_length=1, max_length=4000, pattern=NO_NUL, description="What the decision rests on.")
    grade: Annotated[str, Field(pattern=NO_NUL, max_length=20)] | float | None = Field(
        None, description='Optional, out of 20: 14.5 or "14,5".'
    )


class UaDecisionOut(Revoked):
    id: int
    unit: str
    title: str
    decision: Literal["validated", "not_validated"]
    grade: str | None = Field(description='Out of 20, two decimals, e.g. "14.50".')
    decided_on: date
    evidence: str
    decided_by: str | None
    revoked_by: str | None


class UaDecisionList(BaseModel):
    items: list[UaDecisionOut]
    page: PageInfo
