"""Comparing a checked catalogue with the database: the import plan, written without writing anything."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from lms.catalog.models import (
    Equivalence,
    Programme,
    ProgrammeVersion,
    Unit,
)
from lms.catalog.services.plans import (
    FieldChange,
    ImportPlan,
    OfferingChange,
    OfferingKey,
    UnitChange,
    UnitConflict,
    VersionAdd,
    VersionConflict,
)
from lms.extensions import db
from lms.progress.audit.catalogue import Catalog, ProgramDef, UnitDef
from lms.progress.audit.requirements import unit_codes
from lms.timetable.models import Centre, Offering

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
