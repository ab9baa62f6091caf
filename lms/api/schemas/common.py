"""What every API answer shares: problem details (RFC 9457), paging, ECTS numbers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Ects = float  # ECTS and grades are decimals; JSON numbers


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


NO_NUL = r"^[^\x00]*$"  # text the database can store (PostgreSQL refuses NUL characters)
CODE = r"^\s*[A-Za-z0-9]{1,20}\s*$"  # a programme's code, as the catalogue writes them
