"""Learner records (formats.md section 2): typed, pure Python (no Flask, no database).

The audit engine reads these; the transcript reader (YAML/JSON files) and the database query
(``lms audit --learner``) both produce them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

RESULT_STATUSES = ("validated", "failed", "absent", "registered")
CREDIT_SOURCES = ("ves", "vae", "dispense", "transfer")


@dataclass(frozen=True)
class ResultEntry:
    """An exam result or an activity decision. ``grade`` is /20; ``status`` is one of
    RESULT_STATUSES (a graded result may omit it)."""

    unit: str
    grade: Decimal | None = None
    status: str | None = None
    date: date | None = None
    session: int | None = None


@dataclass(frozen=True)
class CreditEntry:
    """A unit validated without an exam. A credit naming ``program`` counts there only."""

    unit: str
    source: str
    program: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class ExceptionEntry:
    """In ``program``, the validated unit ``substitute`` meets the leaf of unit ``replaces``; the
    leaf is then worth ``ects`` when the decision says so (a substitute worth fewer ECTS than the
    unit it replaces, confirmed by the director), else the ECTS of ``replaces``."""

    program: str
    substitute: str
    replaces: str
    reason: str | None = None
    ects: Decimal | None = None


@dataclass(frozen=True)
class LearnerRecord:
    learner: str
    as_of: date | None = None
    results: tuple[ResultEntry, ...] = field(default_factory=tuple)
    credits: tuple[CreditEntry, ...] = field(default_factory=tuple)
    exceptions: tuple[ExceptionEntry, ...] = field(default_factory=tuple)
