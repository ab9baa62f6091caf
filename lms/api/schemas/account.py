"""The caller's account and API tokens."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Me(BaseModel):
    id: int
    email: str
    name: str
    locale: str
    roles: list[str]
    learner_number: str | None


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
