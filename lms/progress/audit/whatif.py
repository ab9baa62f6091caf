"""What changes between two audits of the same record: the units whose standing differs (a newer
version of the learner's programme, or any other programme).

Pure: no Flask, no database. The audits are :func:`lms.progress.audit.engine.audit` results
(formats.md section 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lms.progress.audit.report import leaves

COUNTING = ("met", "in_progress")


@dataclass(frozen=True)
class Standing:
    """Where a unit stands in one audit.

    ``status``: ``met`` / ``in_progress`` (it counts: as its own requirement or for another one),
    ``unmet`` (a requirement not met yet), ``unused`` (validated but counting nowhere) or
    ``absent`` (neither a requirement nor held). ``via``: how it counts; ``for_unit``: the
    requirement it counts for when that is another unit (equivalence, substitution); ``by``: the
    units that meet this requirement when they are others.
    """

    status: str
    via: str | None = None
    for_unit: str | None = None
    by: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        return self.status in COUNTING


ABSENT = Standing("absent")


def standings(result: Mapping[str, Any]) -> dict[str, Standing]:
    """Every unit of the audit (requirements, units applied, unused units) and where it stands."""
    out: dict[str, Standing] = {}
    tree_leaves = list(leaves(result["requirements"]))
    for leaf in tree_leaves:  # units that count, for themselves or for another requirement
        for entry in leaf.get("applied", ()):
            token = entry["unit"]
            status = "in_progress" if entry.get("in_progress") else "met"
            if token in out and out[token].status == "met":
                continue
            out[token] = Standing(status, entry["via"], None if leaf["unit"] == token else leaf["unit"])
    for leaf in tree_leaves:  # requirements: met by others, or not met
        code = leaf["unit"]
        if code in out:
            continue
        if leaf["status"] in COUNTING:
            applied = leaf.get("applied", ())
            out[code] = Standing(
                leaf["status"],
                applied[0]["via"] if applied else None,
                by=tuple(entry["unit"] for entry in applied),
            )
        else:
            out[code] = Standing("unmet")
    for code in result.get("unused", ()):
        out.setdefault(code, Standing("unused"))
    return out


# Change kinds, from the first audit to the second.
LOST = "lost"  # it counted; it is now a requirement not met
GAINED = "gained"  # a requirement not met; it now counts
NOW_UNUSED = "now_unused"  # it counted; it now counts nowhere
NOW_COUNTS = "now_counts"  # it counted nowhere (or was no requirement); it now counts
COUNTS_DIFFERENTLY = "counts_differently"  # it counts in both, another way
NEW_REQUIREMENT = "new_requirement"  # a requirement not met that the first did not have
DROPPED_REQUIREMENT = "dropped_requirement"  # a requirement not met that the second does not have
CHANGED = "changed"


@dataclass(frozen=True)
class UnitChange:
    unit: str
    before: Standing
    after: Standing

    @property
    def kind(self) -> str:
        before, after = self.before, self.after
        if before.counts and after.counts:
            return COUNTS_DIFFERENTLY
        if before.counts:
            return LOST if after.status == "unmet" else NOW_UNUSED
        if after.counts:
            return GAINED if before.status == "unmet" else NOW_COUNTS
        if after.status == "unmet" and before.status == "absent":
            return NEW_REQUIREMENT
        if before.status == "unmet" and after.status == "absent":
            return DROPPED_REQUIREMENT
        return CHANGED


def status_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[UnitChange]:
    """The units whose standing differs between two audits of the same record (typically the
    learner's version of a programme, then a newer one), by unit code."""
    first, second = standings(before), standings(after)
    changes = []
    for code in sorted(first.keys() | second.keys()):
        was, now = first.get(code, ABSENT), second.get(code, ABSENT)
        if was != now:
            changes.append(UnitChange(code, was, now))
    return changes


def held_changes(changes: Iterable[UnitChange]) -> list[UnitChange]:
    """The changes of units the learner holds or takes (not bare requirements gained or lost):
    what matters when comparing with another programme rather than another version."""
    return [change for change in changes if change.kind not in (NEW_REQUIREMENT, DROPPED_REQUIREMENT)]
