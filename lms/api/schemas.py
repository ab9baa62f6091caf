"""The API's request and answer shapes (pydantic): the OpenAPI description is generated from them.

Answers follow formats.md where it has a shape (requirement trees, section 1; audits, section 3;
the ranking, section 3's ``lms rank``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

Ects = float


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    limit: int = Field(50, ge=1, le=200, description="Items a page.")


class PageInfo(BaseModel):
    page: int
    limit: int
    has_next: bool = Field(description="Whether a next page exists (ask for page + 1).")


class Me(BaseModel):
    id: int
    email: str
    name: str
    locale: str
    roles: list[str]
    learner_number: str | None


class UnitOut(BaseModel):
    code: str
    title: str
    ects: Ects
    kind: str = Field(description="ue or ua")
    level: str | None = None


class UnitList(BaseModel):
    items: list[UnitOut]
    page: PageInfo


class UnitPath(BaseModel):
    code: str = Field(max_length=40)


class UnitQuery(PageQuery):
    q: str | None = Field(None, max_length=100, description="Words of the code or title.")


class ProgrammeSummary(BaseModel):
    code: str
    title: str
    kind: str
    level: int | None = None
    versions: list[str]


class ProgrammeList(BaseModel):
    items: list[ProgrammeSummary]
    page: PageInfo


class ProgrammePath(BaseModel):
    code: str = Field(max_length=40)


class VersionPath(BaseModel):
    code: str = Field(max_length=40)
    version: str = Field(max_length=40)


class ProgrammeVersionOut(BaseModel):
    """A programme version as in a catalogue file (formats.md section 1)."""

    code: str
    version: str
    title: str
    kind: str
    level: int | None = None
    entry_level: int | None = None
    ects: Ects
    pass_mark: Ects | None = None
    validity_years: int | None = None
    requirements: Any = Field(description="The requirement tree, as in formats.md section 1.")


class AuditApplied(BaseModel):
    unit: str
    via: Literal["result", "credit", "equivalence", "substitution", "compensation"]
    ects: Ects


class AuditNode(BaseModel):
    model_config = ConfigDict(extra="allow")

    label: str | None
    kind: Literal["unit", "slot", "all", "choose", "credits"]
    status: Literal["met", "in_progress", "unmet"]
    earned_ects: Ects
    applied: list[AuditApplied]
    children: list[AuditNode]


class Audit(BaseModel):
    """An audit, exactly formats.md section 3."""

    model_config = ConfigDict(extra="allow")

    program: str
    version: str
    as_of: str | None
    status: Literal["complete", "in_progress", "incomplete"]
    nominal_ects: Ects
    earned_ects: Ects
    in_progress_ects: Ects
    missing_ects: Ects | None
    requirements: AuditNode
    unused: list[str]
    warnings: list[Any]


class LearnerPath(BaseModel):
    number: str = Field(max_length=20, description="The learner number, e.g. 100000W.")


class LearnerProgrammePath(LearnerPath):
    code: str = Field(max_length=40)


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str | None = Field(None, max_length=40, description="Default: the version the learner is enrolled on.")


class AuditList(BaseModel):
    items: list[Audit]


class RankRow(BaseModel):
    program: str
    version: str
    title: str
    kind: str
    status: Literal["complete", "in_progress", "incomplete"]
    earned_ects: Ects
    missing_ects: Ects | None


class Ranking(RootModel[list[RankRow]]):
    """Every programme's newest version, by ``missing_ects`` then code."""


class TokenOut(BaseModel):
    id: int
    kind: Literal["personal", "service"]
    name: str
    prefix: str
    scope: Literal["read", "write", "admin"]
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    user: str = Field(description="The e-mail address of the account the token acts as.")


class TokenList(BaseModel):
    items: list[TokenOut]


class TokenPath(BaseModel):
    token_id: int = Field(ge=1, le=2**31 - 1)


# --- grade sheets --------------------------------------------------------------------------------


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
    comment: str | None = Field(None, max_length=2000)
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


# --- catalogue imports and jobs ------------------------------------------------------------------


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(False, description="Say what the import would change; write nothing.")
    filename: str = Field("catalogue.yaml", max_length=200, description="How problems name the file.")


class ImportOut(BaseModel):
    dry_run: bool
    counts: dict[str, int] = Field(description="units_added, units_changed, versions_added, offerings_added...")
    changes: list[str] = Field(description="What changes, one line each (as `lms catalog import --dry-run`).")
    job: int | None = Field(None, description="The learners' re-audit the import started: GET /api/v1/jobs/{id}.")


class ImportProblems(Problem):
    problems: list[str] = Field(description="`FILE:LINE: problem`, one each; nothing was written.")


class JobPath(BaseModel):
    job_id: int = Field(ge=1, le=2**31 - 1)


class JobOut(BaseModel):
    id: int
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    percent: int
    finished: bool
    error: str | None
    download: bool
