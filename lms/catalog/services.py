"""Importing a checked catalogue into the database. Services flush, never commit.

Two steps: :func:`plan_import` compares a :class:`~lms.progress.audit.catalogue.Catalog` with the database
and writes nothing; :func:`apply_import` writes exactly what the plan says, or nothing at all
when the plan holds a conflict. The caller (CLI, view) commits after a clean apply.

- Idempotent: importing the same files twice changes nothing (the second plan is all unchanged).
- Additive: what the database holds and the files do not mention is left alone.
- Versioned: a programme version is immutable once defined; a changed maquette gets a new version
  string, which adds a ProgrammeVersion. Enrolments stay on their version.
- A unit's title and level may change; its ECTS or kind may not while a programme version of the
  database uses it (every audit of that version would silently change): that is a conflict.
- An offering's capacity is updated when the file gives one; a file without capacity keeps the
  database's (capacities are set by the timetable too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lms.catalog.models import (
    Equivalence,
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    Unit,
    UnitKind,
    UnitLevel,
    equivalence_sources,
)
from lms.core.errors import Refusal
from lms.core.holdings import settle
from lms.extensions import db
from lms.progress.audit.catalogue import Catalog, CatalogError, EquivalenceDef, OfferingDef, ProgramDef, UnitDef
from lms.progress.audit.requirements import unit_codes
from lms.timetable.models import Centre, Modality, Offering, Semester

KNOWN_CENTRES = {
    "PAR": ("Cnam Paris", "Paris", "Europe/Paris"),
}
OFFERING_BATCH = 500

UNIT_FIELDS = ("title", "ects", "kind", "level")
LOCKED_UNIT_FIELDS = ("ects", "kind")  # audits depend on them
VERSION_FIELDS = (
    "title",
    "kind",
    "level",
    "entry_level",
    "ects",
    "pass_mark",
    "validity_years",
    "requirements",
)

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
        what = ", ".join(f"{c.field} {_show(c.old)} -> {_show(c.new)}" for c in self.changes)
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


def plan_import(catalog: Catalog) -> ImportPlan:
    """Compare ``catalog`` with the database (reads only): what an import would do."""
    plan = ImportPlan()
    versions = _database_versions()
    _plan_units(plan, catalog, versions)
    _plan_equivalences(plan, catalog)
    _plan_versions(plan, catalog, versions)
    _plan_offerings(plan, catalog)
    return plan


def _database_versions() -> dict[tuple[str, str], ProgramDef]:
    rows = db.session.execute(
        sa.select(
            Programme.code,
            ProgrammeVersion.version,
            ProgrammeVersion.title,
            ProgrammeVersion.kind,
            ProgrammeVersion.level,
            ProgrammeVersion.entry_level,
            ProgrammeVersion.nominal_ects,
            ProgrammeVersion.pass_mark,
            ProgrammeVersion.validity_years,
            ProgrammeVersion.requirements,
        ).join(Programme, ProgrammeVersion.programme_id == Programme.id)
    )
    return {
        (code, version): ProgramDef(code, version, title, kind.value, level, entry, ects, pass_mark, validity, tree)
        for code, version, title, kind, level, entry, ects, pass_mark, validity, tree in rows
    }


def _plan_units(plan: ImportPlan, catalog: Catalog, versions: dict[tuple[str, str], ProgramDef]) -> None:
    existing: dict[str, UnitDef] = {}
    for unit_id, code, title, ects, kind, level in db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.title, Unit.ects, Unit.kind, Unit.level)
    ):
        plan.unit_ids[code] = unit_id
        existing[code] = UnitDef(code, title, ects, kind.value, level.value if level else None)
    used_by: dict[str, set[str]] = defaultdict(set)
    for (code, version), program in versions.items():
        for unit_code in unit_codes(program.requirements):
            used_by[unit_code].add(f"{code} {version}")

    for definition in catalog.units.values():
        known = existing.get(definition.code)
        if known is None:
            plan.units_added.append(definition)
            continue
        changes = tuple(
            FieldChange(name, getattr(known, name), getattr(definition, name))
            for name in UNIT_FIELDS
            if getattr(known, name) != getattr(definition, name)
        )
        if not changes:
            plan.units_unchanged.append(definition.code)
            continue
        locked = tuple(c for c in changes if c.field in LOCKED_UNIT_FIELDS)
        if locked and used_by.get(definition.code):
            origin = catalog.unit_origins.get(definition.code, "catalogue:0")
            plan.unit_conflicts.append(
                UnitConflict(definition, locked, tuple(sorted(used_by[definition.code])), origin)
            )
        else:
            plan.units_changed.append(UnitChange(definition, changes))


def _plan_equivalences(plan: ImportPlan, catalog: Catalog) -> None:
    counts_as = sa.orm.aliased(Unit)
    existing = {
        (code, signature)
        for code, signature in db.session.execute(
            sa.select(counts_as.code, Equivalence.signature).join(counts_as, Equivalence.counts_as_id == counts_as.id)
        )
    }
    seen: set[tuple[str, str]] = set()
    for definition in catalog.equivalences:
        key = (definition.counts_as, "+".join(definition.units))
        if key in seen:
            continue  # the same rule listed twice in the files
        seen.add(key)
        if key in existing:
            plan.equivalences_unchanged += 1
        else:
            plan.equivalences_added.append(definition)


def _plan_versions(plan: ImportPlan, catalog: Catalog, versions: dict[tuple[str, str], ProgramDef]) -> None:
    plan.programme_ids = {code: id_ for code, id_ in db.session.execute(sa.select(Programme.code, Programme.id))}
    for key, definition in sorted(catalog.programs.items()):
        known = versions.get(key)
        if known is None:
            plan.versions_added.append(VersionAdd(definition, definition.code not in plan.programme_ids))
            continue
        differ = tuple(name for name in VERSION_FIELDS if getattr(known, name) != getattr(definition, name))
        if differ:
            origin = catalog.program_origins.get(key, "catalogue:0")
            plan.version_conflicts.append(VersionConflict(definition, differ, origin))
        else:
            plan.versions_unchanged.append(key)
    # a programme met for the first time is created once, by its first new version
    new_codes: set[str] = set()
    for index, added in enumerate(plan.versions_added):
        if added.new_programme:
            plan.versions_added[index] = VersionAdd(added.program, added.program.code not in new_codes)
            new_codes.add(added.program.code)


def _plan_offerings(plan: ImportPlan, catalog: Catalog) -> None:
    plan.centre_ids = {code: id_ for code, id_ in db.session.execute(sa.select(Centre.code, Centre.id))}
    plan.centres_added = sorted({o.centre for o in catalog.offerings} - set(plan.centre_ids))
    years = sorted({o.year for o in catalog.offerings})
    existing: dict[OfferingKey, tuple[int, int | None]] = {}
    if years:
        rows = db.session.execute(
            sa.select(
                Offering.id,
                Unit.code,
                Offering.academic_year,
                Offering.semester,
                Offering.modality,
                Centre.code,
                Offering.capacity,
            )
            .join(Unit, Offering.unit_id == Unit.id)
            .join(Centre, Offering.centre_id == Centre.id)
            .where(Offering.academic_year.in_(years))
        )
        for offering_id, unit, year, semester, modality, centre, capacity in rows:
            existing[(unit, year, semester.value, modality.value, centre)] = (offering_id, capacity)
    for definition in catalog.offerings:
        key = (definition.unit, definition.year, definition.semester, definition.modality, definition.centre)
        known = existing.get(key)
        if known is None:
            plan.offerings_added.append(definition)
            continue
        offering_id, capacity = known
        plan.offering_ids[key] = offering_id
        if definition.capacity is not None and definition.capacity != capacity:
            plan.offerings_changed.append(OfferingChange(definition, capacity))
        else:
            plan.offerings_unchanged += 1


# --- applying -------------------------------------------------------------------------------------


def apply_import(plan: ImportPlan, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write ``plan`` (flush, no commit); raise :class:`ImportRefused` first if it has conflicts.

    ``progress(n)`` is told every ``n`` rows written (a progress bar's ``update``).
    Returns the plan's counts.
    """
    if not plan.ok:
        raise ImportRefused(plan.problems)
    step = progress or (lambda n: None)
    unit_ids = dict(plan.unit_ids)

    new_units = [
        Unit(
            code=d.code,
            title=d.title,
            ects=d.ects,
            kind=UnitKind(d.kind),
            level=UnitLevel(d.level) if d.level else None,
        )
        for d in plan.units_added
    ]
    db.session.add_all(new_units)
    for change in plan.units_changed:
        unit = db.session.get(Unit, unit_ids[change.unit.code])
        for c in change.changes:
            if c.field == "kind":
                unit.kind = UnitKind(c.new)
            elif c.field == "level":
                unit.level = UnitLevel(c.new) if c.new else None
            else:
                setattr(unit, c.field, c.new)
    db.session.flush()
    unit_ids.update((unit.code, unit.id) for unit in new_units)
    step(len(new_units) + len(plan.units_changed))

    for definition in plan.equivalences_added:
        equivalence = Equivalence(counts_as_id=unit_ids[definition.counts_as], signature="+".join(definition.units))
        db.session.add(equivalence)
        db.session.flush()
        db.session.execute(
            sa.insert(equivalence_sources),
            [{"equivalence_id": equivalence.id, "unit_id": unit_ids[code]} for code in definition.units],
        )
    step(len(plan.equivalences_added))

    programmes: dict[str, Programme] = {}
    for added in plan.versions_added:
        d = added.program
        programme = programmes.get(d.code)
        if programme is None:
            if d.code in plan.programme_ids:
                programme = db.session.get(Programme, plan.programme_ids[d.code])
            else:
                programme = Programme(code=d.code)
                db.session.add(programme)
            programmes[d.code] = programme
        programme.versions.append(
            ProgrammeVersion(
                version=d.version,
                title=d.title,
                kind=ProgrammeKind(d.kind),
                level=d.level,
                entry_level=d.entry_level,
                nominal_ects=d.ects,
                pass_mark=d.pass_mark,
                validity_years=d.validity_years,
                requirements=d.requirements,
            )
        )
    db.session.flush()
    step(len(plan.versions_added))

    centre_ids = dict(plan.centre_ids)
    centres = []
    for code in plan.centres_added:
        name, city, timezone = KNOWN_CENTRES.get(code, (f"Centre {code}", code, "Europe/Paris"))
        centres.append(Centre(code=code, name=name, city=city, timezone=timezone))
    db.session.add_all(centres)
    db.session.flush()
    centre_ids.update((centre.code, centre.id) for centre in centres)
    step(len(centres))

    for batch in _batches(plan.offerings_added, OFFERING_BATCH):
        db.session.execute(
            sa.insert(Offering),
            [
                {
                    "unit_id": unit_ids[o.unit],
                    "academic_year": o.year,
                    "semester": Semester(o.semester),
                    "modality": Modality(o.modality),
                    "centre_id": centre_ids[o.centre],
                    "capacity": o.capacity,
                }
                for o in batch
            ],
        )
        step(len(batch))
    for batch in _batches(plan.offerings_changed, OFFERING_BATCH):
        db.session.execute(
            sa.update(Offering),
            [{"id": plan.offering_ids[_offering_key(c.offering)], "capacity": c.offering.capacity} for c in batch],
        )
        step(len(batch))
    # A new equivalence or a unit's new ECTS changes anyone's audit: lms.core.holdings noticed the
    # rows; re-audit now so the stored progress follows within this transaction. (The bulk
    # statements above add offerings nobody is registered to yet and change capacities only.)
    settle()
    return plan.counts()


def _offering_key(o: OfferingDef) -> OfferingKey:
    return (o.unit, o.year, o.semester, o.modality, o.centre)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "none" if value is None else str(value)
