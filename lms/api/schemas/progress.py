"""Audits (exactly formats.md section 3) and the ranking of ``lms rank``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from lms.api.schemas.common import NO_NUL, Ects


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
    number: str = Field(max_length=20, description="The learner number, e.g. 100000W.", pattern=NO_NUL)


class LearnerProgrammePath(LearnerPath):
    code: str = Field(max_length=40, pattern=NO_NUL)


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str | None = Field(
        None, max_length=40, description="Default: the version the learner is enrolled on.", pattern=NO_NUL
    )


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
