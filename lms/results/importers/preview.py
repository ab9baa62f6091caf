"""The dry-run of an import: match an :class:`ImportedSheet` against an offering's roster and sort
each row into matched (new, changed or unchanged), unknown, invalid or empty. Pure: the caller
loads the roster and the current results, shows the preview, and commits ``preview.matched``
all or nothing when ``preview.ok``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.results.grades import GradeError
from lms.results.importers.base import (
    ImportedRow,
    ImportedSheet,
    Mark,
    Problem,
    parse_mark,
)


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file with what the import would do to it."""

    row: ImportedRow
    learner_id: int | None = None
    learner_number: str | None = None  # the roster's learner number of the matched learner
    new: Mark | None = None
    old: Mark | None = None
    message: str = ""  # why the row is unknown, invalid or empty

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
    (old → new) and ``unchanged``."""

    filename: str
    matched: list[PreviewRow] = field(default_factory=list)
    unknown: list[PreviewRow] = field(default_factory=list)
    invalid: list[PreviewRow] = field(default_factory=list)
    empty: list[PreviewRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

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
    def messages(self) -> list[str]:
        """File problems, then ``FILE:LINE: message`` for each unknown or invalid row, by line."""
        rows = sorted(self.unknown + self.invalid, key=lambda r: r.line)
        return [str(p) for p in self.problems] + [f"{self.filename}:{r.line}: {r.message}" for r in rows]

    def values(self) -> dict[int, Mark]:
        """learner id → new mark, for every matched row (what a commit writes)."""
        return {r.learner_id: r.new for r in self.matched if r.learner_id is not None and r.new is not None}


def preview(
    sheet: ImportedSheet,
    roster: Mapping[str, tuple[int, str | None]],
    current: Mapping[int, Any],
) -> ImportPreview:
    """Match and validate ``sheet``.

    ``roster`` maps learner number → (learner id, e-mail) for the learners registered in the
    offering; ``current`` maps learner id → their current mark (a :class:`Mark`, a number,
    ``"absent"``, a ``(grade, absent)`` pair or None). Rows are matched by learner number (Moodle's
    "ID number") first, else by e-mail, both ignoring case and surrounding spaces.
    """
    result = ImportPreview(filename=sheet.filename, problems=list(sheet.problems))
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
            result.unknown.append(PreviewRow(row, message=f"learner {who} is not registered in this offering"))
            continue
        number, learner_id = match
        try:
            new = parse_mark(row.grade)
        except GradeError as error:
            result.invalid.append(PreviewRow(row, learner_id, number, message=f"learner {number}: {error}"))
            continue
        if learner_id in seen:
            result.invalid.append(
                PreviewRow(row, learner_id, number, new, message=f"learner {number} is also on line {seen[learner_id]}")
            )
            continue
        seen[learner_id] = row.line
        old = Mark.of(current.get(learner_id))
        if new is None:
            result.empty.append(
                PreviewRow(row, learner_id, number, None, old, message=f"no grade for learner {number}")
            )
            continue
        result.matched.append(PreviewRow(row, learner_id, number, new, old))
    return result
