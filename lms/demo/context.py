"""The settings of a demo run and the state its steps share."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from lms.core.time import academic_year

if TYPE_CHECKING:
    from lms.accounts.models import Role, User
    from lms.catalog.models import ProgrammeVersion, Unit
    from lms.progress.audit.catalogue import Catalog
    from lms.timetable.models import Offering


@dataclass(frozen=True)
class DemoSettings:
    learners: int = 200
    tutors: int = 10
    catalogue: str = "paris"  # a key of lms.demo.catalogue.CATALOGUES
    seed: int = 2026
    first_year: int = 2019
    today: date | None = None


@dataclass
class DemoSummary:
    users: int = 0
    learners: int = 0
    enrolments: int = 0
    offerings: int = 0
    registrations: int = 0
    results: int = 0
    credits: int = 0
    snapshots: int = 0
    meetings: int = 0
    awards: int = 0
    attendance: int = 0
    accounts: list[tuple[Role, str, str]] = field(default_factory=list)


@dataclass
class DemoContext:
    """One run: its settings, its single random generator (the same seed gives the same data only
    because the steps always draw from it in the same order) and the rows later steps build on."""

    settings: DemoSettings
    catalog: Catalog
    today: date
    password_hash: str
    rng: random.Random
    summary: DemoSummary = field(default_factory=DemoSummary)
    units: dict[str, Unit] = field(default_factory=dict)
    versions: dict[str, ProgrammeVersion] = field(default_factory=dict)
    director_of: dict[str, User] = field(default_factory=dict)
    tutors: list[User] = field(default_factory=list)
    centre_id: int | None = None
    offerings_by_unit_year: dict[tuple[str, int], list[Offering]] = field(default_factory=lambda: defaultdict(list))
    current_year: int = field(init=False)

    def __post_init__(self) -> None:
        self.current_year = academic_year(self.today)


def morning_of(day: date) -> datetime:
    """The time stamp of something done on ``day``: 9:00 UTC."""
    return datetime.combine(day, time(9, 0), tzinfo=UTC)
