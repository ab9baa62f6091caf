"""The values of the planner: the offerings it may use, the learner's preferences, and the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from lms.progress.audit.planner.terms import Term

PACE_KINDS = ("units", "ects")


@dataclass(frozen=True)
class Slot:
    """An offering the plan may use. ``offering_id`` is None and ``assumed`` True for an offering
    not yet published, assumed to repeat the latest published year."""

    unit: str
    year: int
    semester: str  # S1 | S2 | A
    modality: str
    centre: str
    offering_id: int | None = None
    assumed: bool = False

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        return (self.unit, self.year, self.semester, self.modality, self.centre)


@dataclass(frozen=True)
class Preferences:
    pace_kind: str = "units"  # units | ects
    pace: Fraction | int = 2
    modalities: frozenset[str] = frozenset()  # empty: any
    centres: frozenset[str] = frozenset()  # empty: any

    def accepts(self, slot: Slot) -> bool:
        return (not self.modalities or slot.modality in self.modalities) and (
            not self.centres or slot.centre in self.centres
        )

    def as_json(self) -> dict[str, Any]:
        pace = Fraction(self.pace)
        return {
            "pace_kind": self.pace_kind,
            "pace": int(pace) if pace.denominator == 1 else float(pace),
            "modalities": sorted(self.modalities),
            "centres": sorted(self.centres),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Preferences:
        return cls(
            pace_kind=data.get("pace_kind", "units"),
            pace=Fraction(str(data.get("pace", 2))),
            modalities=frozenset(data.get("modalities", ())),
            centres=frozenset(data.get("centres", ())),
        )


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    slot: Slot | None  # None: an activity validated by decision
    pinned: bool = False

    @property
    def activity(self) -> bool:
        return self.slot is None

    @property
    def assumed(self) -> bool:
        return self.slot is not None and self.slot.assumed


@dataclass(frozen=True)
class PlannedTerm:
    year: int
    semester: str
    units: tuple[PlannedUnit, ...]


@dataclass(frozen=True)
class Problem:
    """Why no plan (or a saved plan no longer works). ``kind``:

    - ``removed``: a unit needed to complete the programme was removed by the learner;
    - ``not_offered``: a unit needed is offered in no acceptable modality / centre in the horizon;
    - ``too_big``: a unit is worth more ECTS than the pace allows in one semester;
    - ``slot``: a free slot of the tree is needed: only a director's decision fills it, no offering;
    - ``pinned_unavailable``: a pinned unit cannot be planned (same reasons);
    - ``no_schedule``: the offerings could complete the programme, not within the horizon at this pace;
    - ``offering_gone``: (saved plan) the planned offering no longer exists;
    - ``term_passed``: (saved plan) the planned term is over and the unit is not validated;
    - ``incomplete``: (saved plan) the planned units no longer complete the programme.
    """

    kind: str
    unit: str | None = None


@dataclass(frozen=True)
class Plan:
    start: Term
    terms: tuple[PlannedTerm, ...] = ()
    completion: Term | None = None
    problems: tuple[Problem, ...] = ()
    exact: bool = True
    already_complete: bool = False
    preferences: Preferences = field(default_factory=Preferences)

    @property
    def works(self) -> bool:
        return self.completion is not None

    @property
    def assumed(self) -> bool:
        return any(unit.assumed for term in self.terms for unit in term.units)

    def schedule_json(self) -> list[dict[str, Any]]:
        """The ``StudyPlan.schedule`` form: one entry per term from the start to the completion."""
        return [
            {
                "year": term.year,
                "semester": term.semester,
                "units": [
                    {
                        "code": unit.code,
                        "offering_id": unit.slot.offering_id if unit.slot else None,
                        "assumed": unit.assumed,
                        "pinned": unit.pinned,
                        "activity": unit.activity,
                        "semester": unit.slot.semester if unit.slot else None,
                        "year": unit.slot.year if unit.slot else term.year,
                        "modality": unit.slot.modality if unit.slot else None,
                        "centre": unit.slot.centre if unit.slot else None,
                    }
                    for unit in term.units
                ],
            }
            for term in self.terms
        ]
