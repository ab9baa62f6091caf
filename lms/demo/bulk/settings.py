"""The settings of a bulk run, and what a run derives from them once (today's academic year, the
days without meetings, the shared password hash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from lms.core.time import academic_year


@dataclass(frozen=True)
class BulkSettings:
    learners: int
    centres: int = 20
    years: int = 3  # past academic years of history; the current year adds registrations only
    seed: int = 2026
    today: date | None = None
    tutors_per_centre: int = 25
    attendance_every: int = 4  # attendance is recorded for one offering in this many (a sample)
    chunk: int = 2000  # learners generated and written at a time


@dataclass(frozen=True)
class Run:
    """One run: the settings and what follows from them."""

    settings: BulkSettings
    today: date
    password_hash: str  # one argon2 hash for every generated account (hashing each would take hours)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def current_year(self) -> int:
        return academic_year(self.today)

    @property
    def now(self) -> datetime:
        """The end of ``today``: what is held by then is in the past."""
        return datetime.combine(self.today, time(23, 59), tzinfo=UTC)
