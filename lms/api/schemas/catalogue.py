"""The catalogue (formats.md section 1: programme versions and their requirement trees), its imports and the jobs they start."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lms.api.schemas.common import NO_NUL, Ects, PageInfo, PageQuery, Problem


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
    code: str = Field(max_length=40, pattern=NO_NUL)


class UnitQuery(PageQuery):
    q: str | None = Field(None, max_length=100, description="Words of the code or title.", pattern=NO_NUL)


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
    code: str = Field(max_length=40, pattern=NO_NUL)


class VersionPath(BaseModel):
    code: str = Field(max_length=40, pattern=NO_NUL)
    version: str = Field(max_length=40, pattern=NO_NUL)


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


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(False, description="Say what the import would change; write nothing.")
    filename: str = Field("catalogue.yaml", max_length=200, description="How problems name the file.", pattern=NO_NUL)


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
