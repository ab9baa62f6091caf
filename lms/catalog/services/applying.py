"""Carrying out an import plan: exactly what it says, all or nothing. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
from lms.catalog.services.plans import ImportPlan, ImportRefused, OfferingKey
from lms.core.holdings import settle
from lms.extensions import db
from lms.progress.audit.catalogue import OfferingDef
from lms.timetable.models import Centre, Modality, Offering, Semester

KNOWN_CENTRES = {
    "PAR": ("Cnam Paris", "Paris", "Europe/Paris"),
}


OFFERING_BATCH = 500


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
