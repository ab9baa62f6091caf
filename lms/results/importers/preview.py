"""The dry-run of an import: match an :class:`ImportedSheet` against an offering's roster and sort
each row into matched (new, changed or unchanged), unknown, invalid or empty. Pure: the caller
loads the roster and the current results, shows the preview, and commits either ``values()`` when
``ok`` (every row valid: all or nothing), or, when the user chose to import the valid rows and
ignore the others, ``values(partial=True)`` and lists ``left_out``.

Messages are :class:`~lms.results.importers.base.Msg`: ``str()`` is English (``FILE:LINE:
message`` lines), pages translate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from lms.results.grades import N_, GradeError
from lms.results.importers.base import (
    ImportedRow,
    ImportedSheet,
    Mark,
    Msg,
    Problem,
    parse_mark,
)

NOT_REGISTERED = N_("learner %(who)s is not registered in this offering")
BAD_GRADE = N_("learner %(number)s: %(reason)s")
DUPLICATE = N_("learner %(number)s is also on line %(line)d")
NO_GRADE = N_("no grade for learner %(number)s")
OTHER_ROW_REFUSED = N_("learner %(number)s: another row of this learner is refused (line %(line)d)")


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file with what the import would do to it."""

    row: ImportedRow
    learner_id: int | None = None
    learner_number: str | None = None  # the roster's learner number of the matched learner
    new: Mark | None = None
    old: Mark | None = None
    message: Msg | str = ""  # why the row is unknown, invalid, empty or left out
    name: str = ""  # the learner's name: the roster's, else the file's

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old != self.new


@dataclass
class ImportPreview:
    """Every row of the sheet lands in exactly one of ``matched``, ``unknown``, ``invalid``,
    ``empty``; ``matched`` is further split into ``added`` (no current result), ``changes``
    (old → new) and ``unchanged``. ``out_of`` is the maximum the file's grades were rescaled
    from (None: /20)."""

    filename: str
    matched: list[PreviewRow] = field(default_factory=list)
    unknown: list[PreviewRow] = field(default_factory=list)
    invalid: list[PreviewRow] = field(default_factory=list)
    empty: list[PreviewRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    out_of: Decimal | None = None
    out_of_source: str | None = None

    @property
    def added(self) -> list[PreviewRow]:
        return [r for r in self.matched if r.old is None]

    @property
    def changes(self) -> list[PreviewRow]:
        return [r for r in self.matched if r.changed]

    @property
    def unchanged(self) -> list[PreviewRow]:
        return [r for r in self.matched if r.old is not None and r.old == r.new]

    @property
    def ok(self) -> bool:
        """Whether the import may be committed: a readable file and no invalid row."""
        return not self.problems and not self.invalid and bool(self.matched)

    @property
    def clean(self) -> bool:
        """``ok`` and every learner of the file is registered."""
        return self.ok and not self.unknown

    @property
    def refused(self) -> list[PreviewRow]:
        """The unknown and invalid rows, by line."""
        return sorted(self.unknown + self.invalid, key=lambda r: r.line)

    @property
    def importable(self) -> list[PreviewRow]:
        """The matched rows of learners none of whose rows is refused (a learner with a duplicate
        or an invalid row is left out entirely: which of the rows is right is not ours to guess)."""
        doubtful = {r.learner_id for r in self.invalid if r.learner_id is not None}
        return [r for r in self.matched if r.learner_id not in doubtful]

    @property
    def partial(self) -> bool:
        """Whether importing the valid rows and ignoring the others is possible (and different
        from importing everything): a readable file, rows to write, rows refused."""
        return not self.problems and bool(self.importable) and not self.clean

    @property
    def left_out(self) -> list[PreviewRow]:
        """What a partial import leaves out, by line: the refused rows, and the matched rows of
        learners with a refused row (their message says which)."""
        kept = {id(r) for r in self.importable}
        first_refused = {}
        for r in self.invalid:
            first_refused.setdefault(r.learner_id, r.line)
        dropped = [
            replace(
                r,
                message=Msg(OTHER_ROW_REFUSED, {"number": r.learner_number, "line": first_refused[r.learner_id]}),
            )
            for r in self.matched
            if id(r) not in kept
        ]
        return sorted(self.refused + dropped, key=lambda r: r.line)

    @property
    def messages(self) -> list[str]:
        """File problems, then ``FILE:LINE: message`` for each unknown or invalid row, by line."""
        return [str(p) for p in self.problems] + [f"{self.filename}:{r.line}: {r.message}" for r in self.refused]

    def values(self, *, partial: bool = False) -> dict[int, Mark]:
        """learner id → new mark, for every matched row (what a commit writes); ``partial``: only
        for the ``importable`` rows."""
        rows = self.importable if partial else self.matched
        return {r.learner_id: r.new for r in rows if r.learner_id is not None and r.new is not None}


def preview(
    sheet: ImportedSheet,
    roster: Mapping[str, tuple[int, str | None]],
    current: Mapping[int, Any],
    names: Mapping[int, str] | None = None,
    frozen: Mapping[int, Msg | str] | None = None,
) -> ImportPreview:
    """Match and validate ``sheet``.

    ``roster`` maps learner number → (learner id, e-mail) for the learners registered in the
    offering; ``current`` maps learner id → their current mark (a :class:`Mark`, a number,
    ``"absent"``, a ``(grade, absent)`` pair or None); ``names`` learner id → name, shown beside
    the number; ``frozen`` learner id → why their current result may not be changed by an import
    (published, locked): a row changing it is invalid. Rows are matched by learner number
    (Moodle's "ID number") first, else by e-mail, both ignoring case and surrounding spaces. Grades
    of a sheet ``out_of`` another maximum are rescaled to /20.
    """
    names, frozen = names or {}, frozen or {}
    result = ImportPreview(
        filename=sheet.filename,
        problems=list(sheet.problems),
        out_of=sheet.out_of,
        out_of_source=sheet.out_of_source,
    )
    by_number = {number.strip().casefold(): (number, learner_id) for number, (learner_id, _) in roster.items()}
    by_email = {
        email.strip().casefold(): (number, learner_id) for number, (learner_id, email) in roster.items() if email
    }
    seen: dict[int, int] = {}  # learner id → line of its first row
    for row in sheet.rows:
        match = None
        if row.learner_number:
            match = by_number.get(row.learner_number.strip().casefold())
        if match is None and row.email:
            match = by_email.get(row.email.strip().casefold())
        if match is None:
            who = " / ".join(x for x in (row.learner_number, row.email) if x) or "?"
            result.unknown.append(PreviewRow(row, message=Msg(NOT_REGISTERED, {"who": who}), name=row.name))
            continue
        number, learner_id = match
        name = names.get(learner_id) or row.name
        try:
            new = parse_mark(row.grade, sheet.out_of)
        except GradeError as error:
            reason = Msg(error.msgid, error.params)
            message = Msg(BAD_GRADE, {"number": number, "reason": reason})
            result.invalid.append(PreviewRow(row, learner_id, number, message=message, name=name))
            continue
        if learner_id in seen:
            message = Msg(DUPLICATE, {"number": number, "line": seen[learner_id]})
            result.invalid.append(PreviewRow(row, learner_id, number, new, message=message, name=name))
            continue
        seen[learner_id] = row.line
        old = Mark.of(current.get(learner_id))
        if new is None:
            message = Msg(NO_GRADE, {"number": number})
            result.empty.append(PreviewRow(row, learner_id, number, None, old, message=message, name=name))
            continue
        if learner_id in frozen and old != new:
            reason = frozen[learner_id]
            message = Msg(BAD_GRADE, {"number": number, "reason": reason if isinstance(reason, Msg) else Msg(reason)})
            result.invalid.append(PreviewRow(row, learner_id, number, new, old, message=message, name=name))
            continue
        result.matched.append(PreviewRow(row, learner_id, number, new, old, name=name))
    return result
