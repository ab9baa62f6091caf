"""Reads of the catalogue: programmes with their versions and enrolment counts, units, requirement
trees ready to show, and the whole catalogue in the loader's terms (export)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from lms.catalog.models import (
    CATALOGUE_CHANGED,
    CatalogueGeneration,
    Equivalence,
    Programme,
    ProgrammeVersion,
    Unit,
    equivalence_sources,
    programme_directors,
)
from lms.core.paging import Page, paginate
from lms.core.search import matches_words
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.audit.catalogue import Catalog, EquivalenceDef, OfferingDef, ProgramDef, UnitDef
from lms.progress.audit.requirements import slots as tree_slots
from lms.progress.audit.requirements import unit_codes
from lms.timetable.models import Centre, Offering, semester_order


@dataclass(frozen=True)
class ProgrammeLine:
    version: ProgrammeVersion
    code: str
    units: int
    active_enrolments: int
    all_enrolments: int


def programme_lines(director_id: int | None = None, programme_code: str | None = None) -> list[ProgrammeLine]:
    """Every programme version (or those of programmes ``director_id`` directs, or of programme
    ``programme_code``) with counts."""
    counts = (
        sa.select(
            Enrolment.programme_version_id,
            sa.func.count().label("all_enrolments"),
            sa.func.count().filter(Enrolment.status == EnrolmentStatus.ACTIVE).label("active"),
        )
        .group_by(Enrolment.programme_version_id)
        .subquery()
    )
    query = (
        sa.select(
            ProgrammeVersion,
            Programme.code,
            sa.func.coalesce(counts.c.active, 0),
            sa.func.coalesce(counts.c.all_enrolments, 0),
        )
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .outerjoin(counts, counts.c.programme_version_id == ProgrammeVersion.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    if director_id is not None:
        query = query.join(programme_directors, programme_directors.c.programme_id == Programme.id).where(
            programme_directors.c.user_id == director_id
        )
    if programme_code is not None:
        query = query.where(Programme.code == programme_code)
    return [
        ProgrammeLine(version, code, len(set(unit_codes(version.requirements))), active, total)
        for version, code, active, total in db.session.execute(query)
    ]


def unit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Unit.id))) or 0


def database_unit_codes() -> set[str]:
    return set(db.session.scalars(sa.select(Unit.code)))


def database_slot_codes() -> set[str]:
    """The free slots of every programme version's tree (no unit may be named like one)."""
    return {code for tree in db.session.scalars(sa.select(ProgrammeVersion.requirements)) for code in tree_slots(tree)}


# --- units list -------------------------------------------------------------------------------------


def search_units(text: str = "", page: int = 1, per_page: int = 50) -> Page[Unit]:
    """Units whose code or title holds every word of ``text`` (accents and case ignored), by code;
    two statements whatever the data (a count and one page)."""
    condition = matches_words(text, Unit.search_key)
    return paginate(sa.select(Unit).where(condition).order_by(Unit.code), page, per_page, scalars=True)


def programme_by_code(code: str) -> Programme | None:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


# --- one programme and its requirement tree -------------------------------------------------------------


def programme_versions(code: str) -> list[ProgrammeLine]:
    """The versions of programme ``code`` with their enrolment counts, oldest first."""
    return programme_lines(programme_code=code)


@dataclass(frozen=True)
class RequirementNode:
    """A node of a requirement tree, ready to show: a unit leaf or a group with its rule."""

    kind: str  # unit | slot | all | choose | credits (a group with both conditions is "choose")
    label: str | None = None
    choose: int | None = None
    credits: Any = None
    compensation: dict[str, Any] | None = None
    children: tuple[RequirementNode, ...] = ()
    code: str | None = None
    unit: Unit | None = None
    ects: Any = None  # a slot's ECTS

    @property
    def leaf_count(self) -> int:
        return 1 if self.kind in ("unit", "slot") else sum(child.leaf_count for child in self.children)


def requirement_tree(tree: dict[str, Any]) -> RequirementNode:
    """The tree of a programme version with its units (one statement)."""
    codes = set(unit_codes(tree))
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    return _node(tree, units)


def _node(node: dict[str, Any], units: dict[str, Unit]) -> RequirementNode:
    if "unit" in node:
        return RequirementNode("unit", code=node["unit"], unit=units.get(node["unit"]))
    if "slot" in node:
        return RequirementNode("slot", label=node.get("label"), code=node["slot"], ects=Decimal(str(node["ects"])))
    children = tuple(_node(child, units) for child in node.get("all", node.get("of", [])))
    if "all" in node:
        kind = "all"
    else:
        kind = "choose" if "choose" in node else "credits"
    return RequirementNode(
        kind,
        label=node.get("label"),
        choose=node.get("choose"),
        credits=node.get("credits"),
        compensation=node.get("compensation"),
        children=children,
    )


@dataclass(frozen=True)
class FreeSlot:
    """A free slot of a programme's tree (formats.md section 1): what a substitution may stand for
    instead of a unit. ``id`` is None: it is no unit of the catalogue."""

    code: str
    ects: Decimal
    label: str | None = None
    id: None = None


def free_slots(programme_id: int) -> dict[str, FreeSlot]:
    """The free slots of the programme's versions by code, the newest version's first (one statement)."""
    trees = db.session.scalars(
        sa.select(ProgrammeVersion.requirements)
        .where(ProgrammeVersion.programme_id == programme_id)
        .order_by(ProgrammeVersion.version.desc())
    )
    found: dict[str, FreeSlot] = {}
    for tree in trees:
        for code, leaf in tree_slots(tree).items():
            found.setdefault(code, FreeSlot(code, Decimal(str(leaf["ects"])), leaf.get("label")))
    return found


# --- the whole catalogue, in the loader's terms (export) --------------------------------------------


def catalog_from_database(offerings: bool = True) -> Catalog:
    """The database catalogue as :class:`~lms.progress.audit.catalogue.Catalog`: what export writes and
    what the audit engine reads (``offerings=False``). A fixed number of statements."""
    catalog = Catalog()
    units = sa.select(Unit.code, Unit.title, Unit.ects, Unit.kind, Unit.level).order_by(Unit.code)
    for code, title, ects, kind, level in db.session.execute(units):
        catalog.units[code] = UnitDef(code, title, ects, kind.value, level.value if level else None)

    counts_as, source = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    rules = (
        sa.select(Equivalence.id, counts_as.code, source.code)
        .join(counts_as, Equivalence.counts_as_id == counts_as.id)
        .join(equivalence_sources, equivalence_sources.c.equivalence_id == Equivalence.id)
        .join(source, equivalence_sources.c.unit_id == source.id)
        .order_by(Equivalence.id, source.code)
    )
    sources: dict[int, tuple[str, list[str]]] = {}
    for rule_id, target, unit in db.session.execute(rules):
        sources.setdefault(rule_id, (target, []))[1].append(unit)
    catalog.equivalences = [EquivalenceDef(tuple(codes), target) for target, codes in sources.values()]

    for version, code in db.session.execute(
        sa.select(ProgrammeVersion, Programme.code)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    ):
        catalog.programs[(code, version.version)] = ProgramDef(
            code,
            version.version,
            version.title,
            version.kind.value,
            version.level,
            version.entry_level,
            version.nominal_ects,
            version.pass_mark,
            version.validity_years,
            version.requirements,
        )
    if not offerings:
        return catalog
    rows = db.session.execute(
        sa.select(
            Unit.code, Offering.academic_year, Offering.semester, Offering.modality, Centre.code, Offering.capacity
        )
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .order_by(Offering.academic_year, Unit.code, semester_order(Offering.semester), Offering.modality, Centre.code)
    )
    for unit, year, semester, modality, centre, capacity in rows:
        catalog.offerings.append(OfferingDef(unit, year, semester.value, modality.value, centre, capacity))
    return catalog


# --- the public catalogue (anyone, logged in or not) -----------------------------------------------


def public_programmes() -> list[tuple[str, ProgrammeVersion]]:
    """Each programme with its newest version (by string order, as the programme page): one
    statement. Nothing personal, no enrolment counts."""
    newest: dict[str, ProgrammeVersion] = {}
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion)
        .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    for code, version in rows:
        newest[code] = version
    return list(newest.items())


def public_programme(code: str) -> ProgrammeVersion | None:
    """The newest version of programme ``code``."""
    return db.session.scalar(
        sa.select(ProgrammeVersion)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Programme.code == code)
        .order_by(ProgrammeVersion.version.desc())
        .limit(1)
    )


class _ProcessCatalogue:
    """The last catalogue this process loaded, with the database and the catalogue generation
    (:class:`~lms.catalog.models.CatalogueGeneration`) it was loaded at: every request of every
    worker thread reuses it while the generation stands (one small read instead of the whole
    catalogue), so memory stays one copy per process. A transaction that changed the catalogue
    itself reads its own, uncommitted, catalogue and shares nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None
        self._catalog: Catalog | None = None

    def get(self, session: sa.orm.Session) -> Catalog:
        # The generation first, then the rows: what is kept is never older than its generation.
        generation = session.scalar(sa.select(CatalogueGeneration.generation).where(CatalogueGeneration.id == 1))
        if session.info.get(CATALOGUE_CHANGED) or generation is None:
            return catalog_from_database(offerings=False)
        key = (str(session.get_bind().url), generation)
        with self._lock:
            if self._key == key and self._catalog is not None:
                return self._catalog
        catalog = catalog_from_database(offerings=False)
        with self._lock:
            self._key, self._catalog = key, catalog
        return catalog


PROCESS_CATALOGUE = _ProcessCatalogue()


def programme_page(page: int, per_page: int) -> Page[tuple[str, ProgrammeVersion, list[str]]]:
    """One page of programmes by code: each with its newest version and every version's name
    (two statements: the page's programmes with their versions, and the count)."""

    def window(limit: int, offset: int) -> sa.Select:
        codes = sa.select(Programme.id).order_by(Programme.code).limit(limit).offset(offset).subquery()
        return (
            sa.select(Programme.code, ProgrammeVersion)
            .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
            .where(Programme.id.in_(sa.select(codes.c.id)))
            .order_by(Programme.code, ProgrammeVersion.version)
        )

    found = paginate(window, page, per_page, count=sa.select(sa.func.count(Programme.id)))
    versions: dict[str, list[ProgrammeVersion]] = {}
    for code, version in found.rows:
        versions.setdefault(code, []).append(version)
    return found.with_rows([(code, rows[-1], [row.version for row in rows]) for code, rows in versions.items()])


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))
