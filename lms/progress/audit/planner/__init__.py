"""The study planner: a semester-by-semester plan that completes a programme at the learner's pace.

Pure Python: no Flask, no database. ``lms.progress.study_plans`` builds the inputs from the database.

API
---

    plan(program, units, equivalences, record, slots, preferences, start, pinned=(), removed=(),
         as_of=None, horizon_years=HORIZON_YEARS) -> Plan                              (search.py)
    check_plan(schedule, program, units, equivalences, record, slots, start, as_of=None)
        -> list[Problem]                                                               (check.py)
    extend_slots(slots, through_year) -> list[Slot]                                    (terms.py)
    plan_from_files(program, catalog, record, preferences, start) -> (dict, warnings)  (files.py)
    start_term(day) -> (year, semester)                                                (terms.py)

The values planned and returned (:class:`Slot`, :class:`Preferences`, :class:`Plan`,
:class:`Problem`...) are in plans.py; whether a set of units completes the programme (the
engine, memoised) in completion.py; placing units on offerings by a term in scheduler.py; ``lms
plan`` (the inputs from a catalogue's offerings, the JSON of formats.md section 7) in files.py.

Inputs
------

- ``slots``: the offerings the plan may use, as :class:`Slot` (unit, academic year, semester
  S1/S2/A, modality, centre, offering id or None when *assumed*). :func:`extend_slots` repeats the
  latest published year of each unit yearly up to a horizon, flagged ``assumed`` ("not yet
  published"): the Cnam publishes one year at a time and most units come back every year.
- ``preferences``: pace (``units`` or ``ects`` per semester), acceptable modalities and centres
  (an empty set accepts every value).
- ``pinned`` units must be in the plan; ``removed`` units never are.

Rules and choices
-----------------

- A term is a semester: (academic year, ``S1``) then (year, ``S2``). The plan starts at ``start``
  (:func:`start_term`: the next semester one can still register for).
- A unit is planned on one of its acceptable offerings in that offering's semester. An annual
  (``A``) offering is taught over both semesters of its year: it takes one place in *each*
  semester's pace (with an ECTS pace, half its ECTS in each) and is completed at the end of S2.
- Registered units (under way) are assumed to pass at the end of the start term, and take their
  place in its pace (formats.md section 7; ``plan(..., registered_pace=False)`` leaves the pace
  free). Activities (UA) that have no offering at all
  (professional experience, mémoire...) are validated by decision, not taught: they are planned
  in the completion term, outside the pace.
- A plan *completes* the programme when the audit engine says ``complete`` for the record with
  every planned unit (and every registered one) validated.

Guarantee
---------

Dropping units from a feasible schedule keeps it feasible, completeness is monotone in the
validated units, and a schedule ending by term T also ends by T + 1. So the planner (1) finds any
plan within the horizon (a depth-first search over the units that can be planned, include /
exclude each, the engine's cheapest completion tried first), then (2) asks for a plan ending one
term before the best so far, again and again; when a term is proved impossible, the best plan is
the earliest (``Plan.exact`` True). A branch of the search is pruned when the units still allowed
cannot complete the programme (an audit), when the units chosen cannot be scheduled by the term
(an exact backtracking over their offerings, per-term pace as capacity), or when the engine's
``missing_ects`` cannot fit in the pace left (:class:`~.search.Bound`).

The search is exponential in the worst case: it stops after ``SEARCH_BUDGET`` steps (audits plus
scheduler nodes, about a second), keeps the best plan found (it works, it may not be the
earliest) and sets ``Plan.exact`` False. Measured on the real catalogue: a learner half-way
through a master (the test case) is exact in milliseconds; a licence or master from scratch at 2
units a semester reaches the budget in about 1 to 3 seconds, with a plan at or near the pace bound.
"""

from lms.progress.audit.planner.check import check_plan
from lms.progress.audit.planner.completion import held_units
from lms.progress.audit.planner.plans import PACE_KINDS, Plan, PlannedTerm, PlannedUnit, Preferences, Problem, Slot
from lms.progress.audit.planner.search import HORIZON_YEARS, SEARCH_BUDGET, plan
from lms.progress.audit.planner.terms import SEMESTERS, Term, extend_slots, start_term, term_at, term_index

__all__ = [
    "HORIZON_YEARS",
    "PACE_KINDS",
    "SEARCH_BUDGET",
    "SEMESTERS",
    "Plan",
    "PlannedTerm",
    "PlannedUnit",
    "Preferences",
    "Problem",
    "Slot",
    "Term",
    "check_plan",
    "extend_slots",
    "held_units",
    "plan",
    "start_term",
    "term_at",
    "term_index",
]
