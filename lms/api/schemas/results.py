"""Grade sheets: rows, results and their versions (optimistic locking), publication."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lms.api.schemas.common import NO_NUL


class SheetPath(BaseModel):
    offering_id: int = Field(ge=1, le=2**31 - 1)
    session: Literal[1, 2] = Field(description="Exam session: 1, or 2 (the catch-up session).")


class ResultOut(BaseModel):
    id: int
    grade: str | None = Field(description='Out of 20, two decimals, e.g. "12.50".')
    absent: bool
    decision: Literal["validated", "not_validated"] | None
    comment: str | None
    status: Literal["draft", "published"]
    locked: bool
    version: int = Field(description="Send it back with a change: a change made meanwhile gives 409.")


class SheetRowOut(BaseModel):
    registration_id: int
    learner_number: str
    name: str
    result: ResultOut | None


class SheetOut(BaseModel):
    offering_id: int
    unit: str
    academic_year: int
    session: int
    locked: bool = Field(description="The jury has met: read-only.")
    rows: list[SheetRowOut]


class SheetRowIn(BaseModel):
    """One learner's row. A field left out keeps its value; ``grade: null`` clears the grade."""

    model_config = ConfigDict(extra="forbid")

    registration_id: int = Field(ge=1, le=2**31 - 1)
    grade: str | float | None = Field(None, description='Out of 20: 12.5 or "12,5"; null clears it.')
    absent: bool | None = None
    decision: Literal["validated", "not_validated"] | None = Field(None, description="UA sheets.")
    comment: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    version: int | None = Field(None, description="The result's version as read (optimistic locking).")


class SheetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[SheetRowIn] = Field(max_length=2000)


class SheetSaved(BaseModel):
    saved: int = Field(description="How many results were written.")


class PublicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm_early: bool = Field(False, description="Publish before the exam date on purpose (logged).")


class PublicationOut(BaseModel):
    published: int
