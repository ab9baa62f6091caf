"""Writing a checked catalogue into the database. Services flush, never commit.

Minimal loader of the foundation: it adds what is missing and refuses a file that contradicts
the database (a unit or programme version with other content), so nothing is half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.catalog.loader import Catalog, CatalogError
from lms.catalog.models import Equivalence, Programme, ProgrammeKind, ProgrammeVersion, Unit, UnitKind, UnitLevel
from lms.extensions import db
from lms.timetable.models import Centre, Modality, Offering, Semester

KNOWN_CENTRES = {
    "PAR": ("Cnam Paris", "Paris", "Europe/Paris"),
}


@dataclass
class LoadReport:
    units: int = 0
    equivalences: int = 0
    programme_versions: int = 0
    offerings: int = 0
    centres: int = 0
    unchanged: int = 0
    offering_ids: dict[tuple[str, int, str, str, str], int] = field(default_factory=dict)


def load_catalog(catalog: Catalog) -> LoadReport:
    report = LoadReport()
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    conflicts: list[str] = []
    for definition in catalog.units.values():
        unit = units.get(definition.code)
        if unit is None:
            unit = Unit(
                code=definition.code,
                title=definition.title,
                ects=definition.ects,
                kind=UnitKind(definition.kind),
                level=UnitLevel(definition.level) if definition.level else None,
            )
            db.session.add(unit)
            units[unit.code] = unit
            report.units += 1
        elif (unit.title, unit.ects, unit.kind.value, unit.level.value if unit.level else None) != (
            definition.title, definition.ects, definition.kind, definition.level,
        ):
            conflicts.append(f"unit {definition.code} differs from the one in the database")
        else:
            report.unchanged += 1

    existing_equivalences = {
        (e.counts_as.code, e.signature) for e in db.session.scalars(sa.select(Equivalence))
    }
    for definition in catalog.equivalences:
        signature = "+".join(definition.units)
        if (definition.counts_as, signature) in existing_equivalences:
            report.unchanged += 1
            continue
        db.session.add(
            Equivalence(
                counts_as=units[definition.counts_as],
                signature=signature,
                sources=[units[code] for code in definition.units],
            )
        )
        report.equivalences += 1

    programmes = {p.code: p for p in db.session.scalars(sa.select(Programme))}
    for definition in catalog.programs.values():
        programme = programmes.get(definition.code)
        if programme is None:
            programme = Programme(code=definition.code)
            db.session.add(programme)
            programmes[definition.code] = programme
        existing = next((v for v in programme.versions if v.version == definition.version), None)
        if existing is not None:
            if existing.requirements != definition.requirements or existing.title != definition.title:
                conflicts.append(f"program {definition.code} version {definition.version} differs from the database")
            else:
                report.unchanged += 1
            continue
        programme.versions.append(
            ProgrammeVersion(
                version=definition.version,
                title=definition.title,
                kind=ProgrammeKind(definition.kind),
                level=definition.level,
                entry_level=definition.entry_level,
                nominal_ects=definition.ects,
                pass_mark=definition.pass_mark,
                validity_years=definition.validity_years,
                requirements=definition.requirements,
            )
        )
        report.programme_versions += 1
    if conflicts:
        raise CatalogError(conflicts)

    centres = {c.code: c for c in db.session.scalars(sa.select(Centre))}
    for code in sorted({o.centre for o in catalog.offerings} - set(centres)):
        name, city, timezone = KNOWN_CENTRES.get(code, (f"Centre {code}", code, "Europe/Paris"))
        centres[code] = Centre(code=code, name=name, city=city, timezone=timezone)
        db.session.add(centres[code])
        report.centres += 1
    db.session.flush()

    existing_offerings = {
        (unit_code, year, semester.value, modality.value, centre_code): offering_id
        for offering_id, unit_code, year, semester, modality, centre_code in db.session.execute(
            sa.select(Offering.id, Unit.code, Offering.academic_year, Offering.semester, Offering.modality, Centre.code)
            .join(Unit, Offering.unit_id == Unit.id)
            .join(Centre, Offering.centre_id == Centre.id)
        )
    }
    new_offerings = []
    for definition in catalog.offerings:
        key = (definition.unit, definition.year, definition.semester, definition.modality, definition.centre)
        if key in existing_offerings:
            report.unchanged += 1
            continue
        offering = Offering(
            unit_id=units[definition.unit].id,
            academic_year=definition.year,
            semester=Semester(definition.semester),
            modality=Modality(definition.modality),
            centre_id=centres[definition.centre].id,
            capacity=definition.capacity,
        )
        new_offerings.append((key, offering))
    db.session.add_all(o for _, o in new_offerings)
    db.session.flush()
    report.offerings = len(new_offerings)
    report.offering_ids = {**existing_offerings, **{key: o.id for key, o in new_offerings}}
    return report
