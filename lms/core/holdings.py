"""One way to change a learner's holdings: every write the audit can see goes through here.

What a learner holds (registrations, results, credits, UA decisions, substitutions, enrolments, the
catalogue's units and equivalences) lives in several areas, and progress keeps a stored audit of it
(DESIGN principle 2). Rather than asking each write path to remember to re-audit, the models the
audit reads are marked with :func:`tracks_holdings`, and a session listener does the rest:

1. at flush time, every inserted, updated or deleted row of a marked model adds the learners it
   concerns to a pending set kept on the session (a catalogue row concerns everyone);
2. just before the transaction commits, :func:`settle` fires ``lms_holdings_changed(learner_ids,
   reason)`` once with all of them. Pluggy calls the hook synchronously, so progress re-audits
   them in the same transaction: the snapshots commit (or roll back) with the write.

A new write path therefore needs nothing to stay consistent. :func:`holdings_changed` is for the
two cases the listener cannot cover: a service that reads the fresh snapshots in the same
transaction (it fires at once instead of at commit), and writes the unit of work never sees (bulk
``insert()``/``update()`` statements, raw SQL).

A savepoint rolled back keeps its learners pending: re-auditing them reads what is left, which
is harmless. A full rollback forgets them.

Recursion: the hook's own writes (snapshots, claims, notifications) are of unmarked models, so they
add nothing; should a hook implementation write a marked row anyway, it is collected and fired in a
further round, up to :data:`MAX_ROUNDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

EVERYONE = None  # ``learner_ids`` of a change that concerns every learner (the catalogue changed)
MAX_ROUNDS = 5
_PENDING = "lms.holdings.pending"
_FIRING = "lms.holdings.firing"
_LATER = "lms.holdings.later"


@dataclass(frozen=True)
class HoldingsSource:
    """How rows of one model name the learners they concern.

    ``learner`` is the attribute holding the learner id (``"learner_id"``), or ``EVERYONE``.
    ``through`` names the learner through another table instead: ``(attribute, table, column)``
    reads ``table.learner_id`` where ``table.column`` equals the row's ``attribute``.
    ``columns``: an update counts only when one of them changed (default: any column).
    ``inserts``: whether a new row counts (a new unit concerns nobody yet).
    ``when``: a new or updated row counts only if ``when(row)`` (a draft result concerns nobody).
    """

    reason: str
    learner: str | None = "learner_id"
    through: tuple[str, str, str] | None = None
    columns: tuple[str, ...] | None = None
    inserts: bool = True
    when: Callable[[Any], bool] | None = None


_SOURCES: dict[type, HoldingsSource] = {}


def tracks_holdings(
    *,
    learner: str | None = "learner_id",
    through: tuple[str, str, str] | None = None,
    columns: Iterable[str] | None = None,
    inserts: bool = True,
    when: Callable[[Any], bool] | None = None,
) -> Callable[[type], type]:
    """Class decorator for a model the audit reads (see :class:`HoldingsSource`)."""

    def mark(model: type) -> type:
        _SOURCES[model] = HoldingsSource(
            reason=model.__tablename__,
            learner=learner,
            through=through,
            columns=tuple(columns) if columns is not None else None,
            inserts=inserts,
            when=when,
        )
        return model

    return mark


@dataclass
class _Pending:
    learner_ids: set[int] = field(default_factory=set)
    everyone: bool = False
    reasons: set[str] = field(default_factory=set)

    def add(self, learner_ids: Iterable[int] | None, reason: str) -> None:
        if learner_ids is EVERYONE:
            self.everyone = True
        else:
            self.learner_ids.update(i for i in learner_ids if i is not None)
        self.reasons.add(reason)

    def __bool__(self) -> bool:
        return self.everyone or bool(self.learner_ids)


def _pending(session: Session) -> _Pending:
    return session.info.setdefault(_PENDING, _Pending())


# --- the public functions -----------------------------------------------------------------------


def holdings_changed(learner_ids: Iterable[int] | None, reason: str, session: Session | None = None) -> None:
    """These learners' holdings changed (``EVERYONE``: all learners): re-audit them now, in this
    transaction, together with whatever the session collected so far."""
    session = session or _default_session()
    ids = EVERYONE if learner_ids is EVERYONE else set(learner_ids)
    if ids is not EVERYONE and not ids:
        return
    _pending(session).add(ids, reason)
    settle(session)


def settle(session: Session | None = None) -> None:
    """Flush, then fire ``lms_holdings_changed`` for every pending learner, until none is left.

    Runs before every commit; call it to read fresh snapshots before the commit."""
    session = session or _default_session()
    if session.info.get(_FIRING):
        return  # a hook implementation wrote holdings: the round under way picks them up
    for _round in range(MAX_ROUNDS):
        session.flush()
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        if not has_app_context():
            raise RuntimeError("learners' holdings changed outside an application context: nobody can re-audit them")
        from lms.plugins.manager import plugin_manager

        session.info[_FIRING] = True
        try:
            plugin_manager().hook.lms_holdings_changed(
                learner_ids=EVERYONE if pending.everyone else frozenset(pending.learner_ids),
                reason=", ".join(sorted(pending.reasons)),
            )
        finally:
            session.info.pop(_FIRING, None)
    raise RuntimeError(f"holdings still changing after {MAX_ROUNDS} re-audits: a hook writes what it reads")


@contextmanager
def settled_by_caller(session: Session | None = None) -> Iterator[None]:
    """A savepoint committed inside this block does not re-audit (every commit does, savepoints
    included): the caller settles right after, e.g. through :func:`holdings_changed`, so the
    learners are re-audited once, not twice. The outer commit still settles whatever is left."""
    session = session or _default_session()
    session.info[_LATER] = True
    try:
        yield
    finally:
        session.info.pop(_LATER, None)


def mark_current(learner_ids: Collection[int] | None, session: Session | None = None) -> None:
    """These learners (``EVERYONE``: all) were just re-audited from flushed data: nothing pending
    for them any more. Progress calls it, so a direct re-audit is not repeated at commit."""
    session = session or _default_session()
    pending = session.info.get(_PENDING)
    if pending is None:
        return
    if learner_ids is EVERYONE:
        session.info.pop(_PENDING, None)
    elif not pending.everyone:
        pending.learner_ids.difference_update(learner_ids)


def _default_session() -> Session:
    from lms.extensions import db

    return db.session()


# --- the session listener -----------------------------------------------------------------------


def _learners(session: Session, source: HoldingsSource, rows: list[Any]) -> Iterable[int] | None:
    if source.through is not None:
        attribute, table_name, column = source.through
        values = {getattr(row, attribute) for row in rows} - {None}
        if not values:
            return ()
        table = sa.inspect(rows[0]).mapper.local_table.metadata.tables[table_name]
        return session.execute(sa.select(table.c.learner_id).where(table.c[column].in_(values))).scalars().all()
    if source.learner is EVERYONE:
        return EVERYONE
    return {getattr(row, source.learner) for row in rows}


def _inserted(row: Any, source: HoldingsSource) -> bool:
    return source.inserts and (source.when is None or source.when(row))


def _changed(row: Any, source: HoldingsSource) -> bool:
    if source.when is not None and not source.when(row):
        return False
    state = sa.inspect(row)
    names = source.columns or [attr.key for attr in state.mapper.column_attrs]
    return any(state.attrs[name].history.has_changes() for name in names)


def _collect(session: Session, groups: dict[type, list[Any]]) -> None:
    for model, rows in groups.items():
        if rows:
            source = _SOURCES[model]
            _pending(session).add(_learners(session, source, rows), source.reason)


def _group(objects: Iterable[Any], keep: Callable[[Any, HoldingsSource], bool]) -> dict[type, list[Any]]:
    groups: dict[type, list[Any]] = {}
    for obj in objects:
        source = _SOURCES.get(type(obj))
        if source is not None and keep(obj, source):
            groups.setdefault(type(obj), []).append(obj)
    return groups


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # Deleted rows are read now, while they can still be loaded.
    _collect(session, _group(session.deleted, lambda row, source: True))


def _after_flush(session: Session, _context: Any) -> None:
    # New rows now carry their foreign keys; the attribute history still tells what changed.
    _collect(session, _group(session.new, _inserted))
    _collect(session, _group(session.dirty, _changed))


def _before_commit(session: Session) -> None:
    if session.info.get(_LATER) and session.in_nested_transaction():
        return  # see settled_by_caller
    settle(session)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_PENDING, None)


_LISTENERS = (
    ("before_flush", _before_flush),
    ("after_flush", _after_flush),
    ("before_commit", _before_commit),
    ("after_transaction_end", _after_transaction_end),
)


def install() -> None:
    """Listen to every session (idempotent; ``create_app`` calls it)."""
    for name, listener in _LISTENERS:
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def sources() -> dict[type, HoldingsSource]:
    """The marked models (tests walk them)."""
    return dict(_SOURCES)


__all__ = ["EVERYONE", "holdings_changed", "install", "mark_current", "settle", "tracks_holdings"]
