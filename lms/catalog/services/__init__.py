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

One module per step: :mod:`.plans` (what would change), :mod:`.planning`, :mod:`.applying`.
"""

from lms.catalog.services.applying import apply_import
from lms.catalog.services.planning import plan_import
from lms.catalog.services.plans import ImportPlan, ImportRefused, describe_plan

__all__ = ["ImportPlan", "ImportRefused", "apply_import", "describe_plan", "plan_import"]
