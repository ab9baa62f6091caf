"""What an import would change: the plan :func:`~lms.catalog.services.planning.plan_import` writes
and :func:`~lms.catalog.services.applying.apply_import` carries out, with its conflicts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lms.core.errors import Refusal
from lms.progress.audit.catalogue import CatalogError, EquivalenceDef, OfferingDef, ProgramDef, UnitDef

OfferingKey = tuple[str, int, str, str, str]  # unit, year, semester, modality, centre


class ImportRefused(CatalogError, Refusal):
    """The plan holds conflicts: nothing was written. ``problems`` as for the loader."""

    status = 409


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class UnitChange:
    unit: UnitDef
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class UnitConflict:
    """A change of ECTS or kind of a unit that existing programme versions use."""

    unit: UnitDef
    changes: tuple[FieldChange, ...]
    used_by: tuple[str, ...]  # "CODE version" of the programme versions using it
    origin: str

    @property
    def message(self) -> str:
        what = ", ".join(f"{c.field} {shown_value(c.old)} -> {shown_value(c.new)}" for c in self.changes)
        return (
            f"{self.origin}: unit {self.unit.code}: {what} refused: programme versions "
            f"{', '.join(self.used_by)} use it (their audits would change); give the unit a new code"
        )


@dataclass(frozen=True)
class VersionAdd:
    program: ProgramDef
    new_programme: bool


@dataclass(frozen=True)
class VersionConflict:
    """Same programme code and version as in the database, other content."""

    program: ProgramDef
    fields: tuple[str, ...]
    origin: str

    @property
    def message(self) -> str:
        return (
            f"{self.origin}: program {self.program.code} version {self.program.version} differs from the one "
            f"in the database ({', '.join(self.fields)}); a version cannot change once defined: "
            "give the new maquette a new version"
        )


@dataclass(frozen=True)
class OfferingChange:
    offering: OfferingDef
    old_capacity: int | None


@dataclass
class ImportPlan:
    units_added: list[UnitDef] = field(default_factory=list)
    units_changed: list[UnitChange] = field(default_factory=list)
    units_unchanged: list[str] = field(default_factory=list)
    unit_conflicts: list[UnitConflict] = field(default_factory=list)
    equivalences_added: list[EquivalenceDef] = field(default_factory=list)
    equivalences_unchanged: int = 0
    versions_added: list[VersionAdd] = field(default_factory=list)
    versions_unchanged: list[tuple[str, str]] = field(default_factory=list)
    version_conflicts: list[VersionConflict] = field(default_factory=list)
    offerings_added: list[OfferingDef] = field(default_factory=list)
    offerings_changed: list[OfferingChange] = field(default_factory=list)
    offerings_unchanged: int = 0
    centres_added: list[str] = field(default_factory=list)
    # database ids at planning time, used by apply_import
    unit_ids: dict[str, int] = field(default_factory=dict, repr=False)
    programme_ids: dict[str, int] = field(default_factory=dict, repr=False)
    centre_ids: dict[str, int] = field(default_factory=dict, repr=False)
    offering_ids: dict[OfferingKey, int] = field(default_factory=dict, repr=False)

    @property
    def problems(self) -> list[str]:
        return [c.message for c in self.unit_conflicts] + [c.message for c in self.version_conflicts]

    @property
    def ok(self) -> bool:
        return not self.unit_conflicts and not self.version_conflicts

    @property
    def work(self) -> int:
        """How many rows an apply writes (the length of the progress bar)."""
        return (
            len(self.units_added)
            + len(self.units_changed)
            + len(self.equivalences_added)
            + len(self.versions_added)
            + len(self.centres_added)
            + len(self.offerings_added)
            + len(self.offerings_changed)
        )

    @property
    def has_changes(self) -> bool:
        return self.work > 0

    def counts(self) -> dict[str, int]:
        return {
            "units_added": len(self.units_added),
            "units_changed": len(self.units_changed),
            "units_unchanged": len(self.units_unchanged),
            "equivalences_added": len(self.equivalences_added),
            "equivalences_unchanged": self.equivalences_unchanged,
            "versions_added": len(self.versions_added),
            "versions_unchanged": len(self.versions_unchanged),
            "offerings_added": len(self.offerings_added),
            "offerings_changed": len(self.offerings_changed),
            "offerings_unchanged": self.offerings_unchanged,
            "centres_added": len(self.centres_added),
            "conflicts": len(self.unit_conflicts) + len(self.version_conflicts),
        }


# --- planning -------------------------------------------------------------------------------------


def shown_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "none" if value is None else str(value)


# --- for people ---------------------------------------------------------------------------------


def describe_plan(plan: ImportPlan) -> list[str]:
    """The plan, one line per change, for people."""
    counts = plan.counts()
    lines = [
        f"units: {counts['units_added']} to add, {counts['units_changed']} to change, "
        f"{counts['units_unchanged']} unchanged"
        + (f", {len(plan.unit_conflicts)} refused" if plan.unit_conflicts else "")
    ]
    lines += [f"  + {u.code} {u.title!r} ({_number(u.ects)} ECTS, {u.kind})" for u in plan.units_added]
    for change in plan.units_changed:
        what = "; ".join(f"{c.field} {_show(c.old)} -> {_show(c.new)}" for c in change.changes)
        lines.append(f"  ~ {change.unit.code}: {what}")
    lines.append(f"equivalences: {counts['equivalences_added']} to add, {counts['equivalences_unchanged']} unchanged")
    lines += [f"  + {'+'.join(e.units)} counts as {e.counts_as}" for e in plan.equivalences_added]
    lines.append(
        f"programme versions: {counts['versions_added']} to add, {counts['versions_unchanged']} unchanged"
        + (f", {len(plan.version_conflicts)} refused" if plan.version_conflicts else "")
    )
    for added in plan.versions_added:
        p = added.program
        lines.append(
            f"  + {p.code} {p.version} {p.title!r} ({'new programme' if added.new_programme else 'new version'})"
        )
    by_year = Counter(o.year for o in plan.offerings_added)
    lines.append(
        f"offerings: {counts['offerings_added']} to add, {counts['offerings_changed']} to change (capacity), "
        f"{counts['offerings_unchanged']} unchanged"
    )
    lines += [f"  + {n} in {year}-{year + 1}" for year, n in sorted(by_year.items())]
    for change in plan.offerings_changed:
        o = change.offering
        lines.append(
            f"  ~ {o.unit} {o.year} {o.semester} {o.modality} {o.centre}: capacity "
            f"{_show(change.old_capacity)} -> {o.capacity}"
        )
    lines.append(
        f"centres: {counts['centres_added']} to add"
        + (f" ({', '.join(plan.centres_added)})" if plan.centres_added else "")
    )
    return lines


def _number(value) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def _show(value) -> str:
    if value is None:
        return "none"
    return repr(value) if isinstance(value, str) else _number(value)
