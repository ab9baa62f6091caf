"""Where a unit fits in a learner's programmes: the group of a requirement tree holding it (pure),
the trees of the learner's active enrolments with the equivalences into them, and the programme
choices of the catalogue filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner
from lms.catalog.models import (
    Equivalence,
    Programme,
    ProgrammeVersion,
    Unit,
    equivalence_sources,
)
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus

# --- where a unit fits in a requirement tree (pure) -----------------------------------------------


@dataclass(frozen=True)
class Group:
    """The group of a requirement tree holding a unit, ready to put in words."""

    kind: str  # all | choose | credits
    label: str | None  # the group's label, or the nearest labelled ancestor's
    total: int  # number of requirements listed in the group
    choose: int | None = None
    credits: Any = None
    top: bool = False  # the root of the tree (the programme itself)


def unit_groups(tree: dict[str, Any]) -> dict[str, Group]:
    """For each unit named by ``tree`` (normal form), the group holding it (its first place)."""
    found: dict[str, Group] = {}

    def walk(node: dict[str, Any], inherited: str | None, top: bool) -> None:
        children = node.get("all", node.get("of", []))
        label = node.get("label") or inherited
        kind = "all" if "all" in node else ("choose" if "choose" in node else "credits")
        group = Group(kind, label, len(children), node.get("choose"), node.get("credits"), top)
        for child in children:
            if "unit" in child:
                found.setdefault(child["unit"], group)
            else:
                walk(child, label, False)

    if "unit" in tree:
        found[tree["unit"]] = Group("all", None, 1, top=True)
    else:
        walk(tree, None, True)
    return found


@dataclass(frozen=True)
class Placement:
    """Where an offering's unit counts in one of the learner's programmes."""

    programme: str
    group: Group | None = None  # the group holding the unit itself
    via: str | None = None  # or: the unit of the tree it counts as, by equivalence


@dataclass
class ProgrammeContext:
    """The learner's programmes (active enrolments): their trees, and equivalences into them."""

    trees: dict[str, dict[str, Any]] = field(default_factory=dict)  # programme code -> tree
    groups: dict[str, dict[str, Group]] = field(default_factory=dict)
    equivalent: dict[str, set[str]] = field(default_factory=dict)  # source unit -> targets

    def codes(self, programme: str | None = None) -> set[str]:
        """Units counting toward ``programme`` (or any of them), equivalence sources included."""
        chosen = [programme] if programme else list(self.trees)
        codes = {code for name in chosen if name in self.groups for code in self.groups[name]}
        codes |= {source for source, targets in self.equivalent.items() if targets & codes}
        return codes

    def placements(self, unit: str) -> list[Placement]:
        found = []
        for programme, groups in self.groups.items():
            if unit in groups:
                found.append(Placement(programme, group=groups[unit]))
                continue
            targets = sorted(self.equivalent.get(unit, set()) & set(groups))
            if targets:
                found.append(Placement(programme, via=targets[0]))
        return found


def equivalences_into(codes: set[str]) -> dict[str, set[str]]:
    """Source unit -> the units of ``codes`` it counts as (one statement)."""
    if not codes:
        return {}
    target, source = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    rows = db.session.execute(
        sa.select(source.code, target.code)
        .select_from(Equivalence)
        .join(target, Equivalence.counts_as_id == target.id)
        .join(equivalence_sources, equivalence_sources.c.equivalence_id == Equivalence.id)
        .join(source, equivalence_sources.c.unit_id == source.id)
        .where(target.code.in_(sorted(codes)))
    )
    mapping: dict[str, set[str]] = {}
    for source_code, target_code in rows:
        mapping.setdefault(source_code, set()).add(target_code)
    return mapping


def programme_context(learner: Learner | None, extra: tuple[str, dict[str, Any]] | None = None) -> ProgrammeContext:
    """The trees of the learner's active enrolments (and ``extra``, a programme chosen in the
    filter), with the equivalences into them: two statements. Without a learner, ``extra`` only."""
    rows = (
        []
        if learner is None
        else db.session.execute(
            sa.select(Programme.code, ProgrammeVersion.requirements)
            .select_from(Enrolment)
            .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
            .join(Programme, ProgrammeVersion.programme_id == Programme.id)
            .where(Enrolment.learner_id == learner.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Programme.code, Enrolment.enrolled_on)
        )
    )
    context = ProgrammeContext()
    for code, tree in rows:
        context.trees[code] = tree
    if extra is not None and extra[0] not in context.trees:
        context.trees[extra[0]] = extra[1]
    context.groups = {code: unit_groups(tree) for code, tree in context.trees.items()}
    every = {code for groups in context.groups.values() for code in groups}
    context.equivalent = equivalences_into(every)
    return context


def enrolled_programme_codes(learner: Learner) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Programme.code)
            .distinct()
            .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .where(Enrolment.learner_id == learner.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Programme.code)
        )
    )


def programme_choices() -> list[tuple[str, str]]:
    """Every programme: (code, title of its latest version), by code (one statement)."""
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion.title)
        .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    latest: dict[str, str] = {}
    for code, title in rows:
        latest[code] = title
    return list(latest.items())


def latest_tree(code: str) -> dict[str, Any] | None:
    return db.session.scalar(
        sa.select(ProgrammeVersion.requirements)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Programme.code == code)
        .order_by(ProgrammeVersion.version.desc())
        .limit(1)
    )
