"""Awards (certificates decided by a jury) and the public verification of a document by its code."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from lms.api.schemas.common import CODE, NO_NUL, PageInfo, PageQuery


class AwardPath(BaseModel):
    award_id: int = Field(ge=1, le=2**31 - 1)


class CodePath(BaseModel):
    code: str = Field(
        max_length=200, pattern=NO_NUL, description="The code printed on the document (or in its QR code)."
    )


class AwardQuery(PageQuery):
    programme: str | None = Field(None, pattern=CODE, description="Only the awards of this programme.")


class AwardOut(BaseModel):
    id: int
    certificate_number: str
    programme: str
    version: str
    title: str
    learner_number: str
    name: str
    decided_on: date
    jury: str
    mention: str | None
    ects: float
    verification_url: str
    revoked_at: datetime | None
    revoke_reason: str | None


class AwardList(BaseModel):
    items: list[AwardOut]
    page: PageInfo


class Fact(BaseModel):
    label: str
    value: str


class Verification(BaseModel):
    """What the public verification page shows, nothing more."""

    title: str
    holder: str
    facts: list[Fact]
    valid: bool
    issued_on: date
    revoked_on: date | None
