"""The catalogue loader's problems as pages show them: translated (French first), ``FILE:LINE: message``.

The pure loader (:mod:`lms.progress.audit.catalogue`) tells each problem as a
:class:`~lms.progress.audit.yamlsource.Problem` whose message is an English template (the msgid,
marked with ``N_`` there) and its params; the command line prints ``str()`` of it, the English line of
formats.md section 3. The import plan's conflicts are told here in the same words (the English text
is that of :attr:`UnitConflict.message <lms.catalog.services.plans.UnitConflict.message>` and
:attr:`VersionConflict.message <lms.catalog.services.plans.VersionConflict.message>`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lms.catalog.services.plans import ImportPlan, UnitConflict, VersionConflict, shown_value
from lms.core.i18n import gettext
from lms.progress.audit.yamlsource import N_, Msg, Problem, msg


def shown(problem: Problem | str) -> str:
    """The problem in the reader's language (a plain text stays as it is)."""
    if isinstance(problem, Problem):
        return f"{problem.file}:{problem.line}: {problem.message.render(gettext)}"
    return str(problem)


def renamed(problem: Problem | str, rename: Callable[[str], str]) -> Problem | str:
    """The problem with ``rename`` applied to its file and to every text param (origins ``FILE:LINE``)."""
    if not isinstance(problem, Problem):
        return rename(problem)
    return replace(problem, file=rename(problem.file), message=_renamed(problem.message, rename))


def _renamed(message: Msg, rename: Callable[[str], str]) -> Msg:
    def one(value: Any) -> Any:
        if isinstance(value, Msg):
            return _renamed(value, rename)
        return rename(value) if isinstance(value, str) else value

    return Msg(message.template, {key: one(value) for key, value in message.params.items()})


def plan_problems(plan: ImportPlan) -> list[Problem]:
    """The plan's conflicts as problems: ``str()`` of each is the plan's own English line."""
    return [unit_conflict(c) for c in plan.unit_conflicts] + [version_conflict(c) for c in plan.version_conflicts]


def _at(origin: str, message: Msg) -> Problem:
    file, line = origin.rsplit(":", 1)
    return Problem(file, int(line), message)


def unit_conflict(conflict: UnitConflict) -> Problem:
    changes = ", ".join(f"{c.field} {shown_value(c.old)} -> {shown_value(c.new)}" for c in conflict.changes)
    template = N_(
        "{what}: {changes} refused: programme versions {versions} use it (their audits would change);"
        " give the unit a new code"
    )
    what = msg(N_("unit {code}"), code=conflict.unit.code)
    return _at(conflict.origin, msg(template, what=what, changes=changes, versions=", ".join(conflict.used_by)))


def version_conflict(conflict: VersionConflict) -> Problem:
    program = conflict.program
    what = msg(
        N_("{what} version {version}"), what=msg(N_("program {code}"), code=program.code), version=program.version
    )
    template = N_(
        "{what} differs from the one in the database ({fields}); a version cannot change once defined:"
        " give the new maquette a new version"
    )
    return _at(conflict.origin, msg(template, what=what, fields=", ".join(conflict.fields)))
