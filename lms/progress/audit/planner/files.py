"""``lms plan`` from files (formats.md section 7): the planner's inputs from a catalogue's offerings
(section 5) and a learner record, and its answer as the JSON object of section 7. Pure Python.

    catalogue_slots(offerings, codes, start, horizon_years) -> list[Slot]
    plan_from_files(program, catalog, record, preferences, start, as_of=None) -> (dict, warnings)

Rules of section 7 kept here (the search itself is :func:`~.search.plan`):

- every offering is a :class:`Slot` (no offering id); years after the last year that has offerings
  of a unit repeat that year's offerings (``assumed``), up to the horizon of 12 academic years;
- a term lists the units planned in it; an annual offering is listed in both terms of its year,
  half its ECTS in each; the registered units are listed in ``--from``'s term (they take its pace);
- activities (UAs offered nowhere) are listed apart, validated at the completion term;
- ``complete``: the record alone completes the programme (no terms); ``impossible``: no plan
  within the horizon (``completion`` null); else ``planned``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lms.progress.audit.definitions import unit_codes
from lms.progress.audit.engine import audit
from lms.progress.audit.planner.completion import held_units
from lms.progress.audit.planner.plans import Plan, Preferences, Slot
from lms.progress.audit.planner.search import HORIZON_YEARS, plan
from lms.progress.audit.planner.terms import Term, extend_slots, occupies, term_at, term_index
from lms.progress.audit.records import LearnerRecord

TERM = re.compile(r"^(\d{4})-(S1|S2)$")
NOT_PROVED = "the search limit stopped before this plan was proved the earliest"
NOT_FOUND = "the search limit stopped before a plan was found: one may exist"


def parse_term(text: str) -> Term | None:
    """``2026-S2`` as ``(2026, "S2")``; None when it is not a term."""
    found = TERM.match(text.strip())
    return (int(found[1]), found[2]) if found else None


def term_name(term: Term) -> str:
    return f"{term[0]}-{term[1]}"


def catalogue_slots(offerings: Iterable[Any], codes: Iterable[str], start: Term, horizon_years: int) -> list[Slot]:
    """The offerings of ``codes`` (catalogue :class:`OfferingDef`) as slots, each unit's last year
    repeated yearly (``assumed``) through the horizon's last academic year."""
    wanted = set(codes)
    slots = [
        Slot(offering.unit, offering.year, offering.semester, offering.modality, offering.centre)
        for offering in offerings
        if offering.unit in wanted
    ]
    return extend_slots(slots, start[0] + horizon_years - 1)


def _number(value: Fraction | Decimal) -> int | float:
    value = Fraction(value)
    return int(value) if value.denominator == 1 else float(value)


def plan_from_files(
    program: Any,
    catalog: Any,
    record: LearnerRecord,
    preferences: Preferences,
    start: Term,
    as_of: date | None = None,
    horizon_years: int = HORIZON_YEARS,
) -> tuple[dict[str, Any], list[str]]:
    """The JSON object of ``lms plan`` and its warnings (English lines)."""
    as_of = as_of or record.as_of or date.today()
    units = catalog.units
    head = {"program": program.code, "version": program.version, "from": term_name(start)}
    if audit(program, units, catalog.equivalences, record, as_of)["status"] == "complete":
        return {**head, "status": "complete", "optimal": True, "completion": None, "terms": [], "activities": []}, []
    slots = catalogue_slots(catalog.offerings, unit_codes(program.requirements), start, horizon_years)
    found = plan(
        program,
        units,
        catalog.equivalences,
        record,
        slots,
        preferences,
        start,
        as_of=as_of,
        horizon_years=horizon_years,
    )
    _validated, registered = held_units(program, record)
    registered = sorted(code for code in registered if code in units)
    if not found.works and not found.already_complete:
        warnings = [] if found.exact else [NOT_FOUND]
        answer = {**head, "status": "impossible", "optimal": found.exact, "completion": None}
        return {**answer, "terms": [], "activities": []}, warnings
    terms, activities = _terms(found, registered, units, start)
    answer = {**head, "status": "planned", "optimal": found.exact, "completion": terms[-1]["term"]}
    return {**answer, "terms": terms, "activities": activities}, [] if found.exact else [NOT_PROVED]


def _terms(
    found: Plan, registered: list[str], units: Mapping[str, Any], start: Term
) -> tuple[list[dict[str, Any]], list[str]]:
    """The terms from ``start`` to the completion (every one, empty ones too) and the activities."""
    last = term_index(found.completion, start) if found.completion is not None else 0
    listed: list[dict[str, Any]] = [
        {"term": term_name(term_at(index, start)), "units": [], "ects": Fraction(0), "assumed": False}
        for index in range(last + 1)
    ]
    for code in registered:
        listed[0]["units"].append(code)
        listed[0]["ects"] += Fraction(str(units[code].ects))
    activities = []
    for term in found.terms:
        for unit in term.units:
            if unit.slot is None:
                activities.append(unit.code)
                continue
            taught = occupies(unit.slot, start)
            for index in taught:
                listed[index]["units"].append(unit.code)
                listed[index]["ects"] += Fraction(str(units[unit.code].ects)) / len(taught)
                listed[index]["assumed"] = listed[index]["assumed"] or unit.slot.assumed
    for term in listed:
        term["units"] = sorted(term["units"])
        term["ects"] = _number(term["ects"])
    return listed, sorted(activities)
