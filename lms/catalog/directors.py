"""Programme directors' rights, in one place: which programmes a director directs, which learners
they may see and decide for, and attaching or detaching a director (``programme_directors``).

Administrators may do everything; a director only for the programmes they direct and the learners
enrolled in one of them (a director who directs nothing sees no learner). Writes flush, never
commit.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User
from lms.catalog.models import Programme, ProgrammeVersion, Unit, programme_directors
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.requirements import unit_codes


class DirectorError(Refusal):
    """Attaching or detaching a director that breaks a rule; the message is for people."""


def directed_programme_ids(user: User) -> set[int]:
    """The programmes ``user`` directs (none for whoever is not a director)."""
    if Role.DIRECTOR not in user.roles:
        return set()
    return set(
        db.session.scalars(
            sa.select(programme_directors.c.programme_id).where(programme_directors.c.user_id == user.id)
        )
    )


def may_direct(user: User, programme: Programme) -> bool:
    """Administrators for every programme, a director for the programmes they direct."""
    return Role.ADMIN in user.roles or programme.id in directed_programme_ids(user)


def learner_programme_ids(learner: Learner) -> set[int]:
    """The programmes ``learner`` is (or was) enrolled in."""
    return set(
        db.session.scalars(
            sa.select(ProgrammeVersion.programme_id)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .where(Enrolment.learner_id == learner.id)
        )
    )


def directs_learner(user: User, learner: Learner) -> bool:
    """Whether ``user`` directs a programme ``learner`` is enrolled in."""
    directed = directed_programme_ids(user)
    return bool(directed) and not directed.isdisjoint(learner_programme_ids(learner))


def may_see_learner(user: User, learner: Learner) -> bool:
    """Administrators see every learner's record, a director those of their programmes."""
    return Role.ADMIN in user.roles or directs_learner(user, learner)


def directed_programmes(user: User, programme_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A filter on ``programme_id`` (a column) for lists: every programme for an administrator,
    the programmes ``user`` directs for a director, none for anyone else."""
    if Role.ADMIN in user.roles:
        return sa.true()
    if Role.DIRECTOR not in user.roles:
        return sa.false()
    directed = sa.select(programme_directors.c.programme_id).where(programme_directors.c.user_id == user.id)
    return programme_id.in_(directed)


def directed_learners(user: User, learner_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A filter on ``learner_id`` (a column) for lists: every learner for an administrator, the
    learners enrolled in a programme ``user`` directs for a director, none for anyone else."""
    if Role.ADMIN in user.roles:
        return sa.true()
    if Role.DIRECTOR not in user.roles:
        return sa.false()
    enrolled = (
        sa.select(Enrolment.learner_id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(programme_directors, programme_directors.c.programme_id == ProgrammeVersion.programme_id)
        .where(programme_directors.c.user_id == user.id)
    )
    return learner_id.in_(enrolled)


def directs_unit(user: User, unit: Unit) -> bool:
    """Whether ``user`` directs a programme with ``unit`` in one of its versions."""
    if Role.DIRECTOR not in user.roles:
        return False
    versions = db.session.scalars(
        sa.select(ProgrammeVersion.requirements)
        .join(programme_directors, programme_directors.c.programme_id == ProgrammeVersion.programme_id)
        .where(programme_directors.c.user_id == user.id)
    )
    return any(unit.code in unit_codes(requirements) for requirements in versions)


def may_decide(actor: User, learner: Learner, programme: Programme | None, unit: Unit | None = None) -> bool:
    """Administrators decide for anyone. A director decides for a programme they direct; a
    decision that names no programme (a UA on evidence, a credit) for a learner enrolled in one of
    their programmes, and, for ``unit``, only if a version the learner is enrolled on there
    requires it (a director does not validate a UA of another director's programme)."""
    if Role.ADMIN in actor.roles:
        return True
    directed = directed_programme_ids(actor)
    if programme is not None:
        return programme.id in directed
    if unit is None:
        return directs_learner(actor, learner)
    trees = db.session.scalars(
        sa.select(ProgrammeVersion.requirements)
        .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
        .where(Enrolment.learner_id == learner.id, ProgrammeVersion.programme_id.in_(directed or {-1}))
    )
    return any(unit.code in unit_codes(tree) for tree in trees)


# --- who directs what -------------------------------------------------------------------------------


class DirectorLine(NamedTuple):
    id: int
    name: str
    email: str


def programme_directors_of(programme_id: int) -> list[DirectorLine]:
    """The directors of a programme, by name (one statement: names, not accounts)."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .join(programme_directors, programme_directors.c.user_id == User.id)
        .where(programme_directors.c.programme_id == programme_id)
        .order_by(User.name, User.email)
    )
    return [DirectorLine(*row) for row in rows]


def attach_director(programme: Programme, user: User) -> bool:
    """Make ``user`` (who holds the director role) a director of ``programme``; False when they
    already are."""
    if Role.DIRECTOR not in user.roles:
        raise DirectorError(_("%(email)s does not hold the director role.", email=user.email))
    # ids, not ``user in programme.directors``: UserMixin compares users by session key
    if user.id in {director.id for director in programme.directors}:
        return False
    programme.directors.append(user)
    db.session.flush()
    return True


def detach_director(programme: Programme, user: User) -> bool:
    """``user`` no longer directs ``programme``; False when they did not."""
    kept = [director for director in programme.directors if director.id != user.id]
    if len(kept) == len(programme.directors):
        return False
    programme.directors = kept
    db.session.flush()
    return True
