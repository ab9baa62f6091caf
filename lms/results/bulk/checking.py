"""The checking pass of a results import: every row read, looked up and judged, a batch at a time.

Memory stays bounded whatever the file's size: rows are read as a stream and looked up
:data:`BATCH` at a time (learners by number, offerings by their natural key, registrations by
(learner, offering), the current results of those registrations), and each good row goes to the
staging table (:mod:`lms.results.bulk.staging`) with what to do. Duplicates are found there, in
SQL, once the whole file is in. Only offerings are cached (a few per unit and year).

The rules are the grade sheet's (:func:`lms.results.services.save_sheet`,
:func:`~lms.results.services.correct_result`, :func:`~lms.results.queries.sheet_registrations`):
the learner is registered (status "registered") for the offering; a session-2 result is for a
learner whose session-1 result is published and failed; no new result or draft change once the
jury of that session has met (the sheet is locked); nothing published before the exam; a
published (or locked) result changes only by a correction, which needs a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from lms.catalog.models import UnitKind
from lms.progress.audit.catalogue import DEFAULT_MARK as PASS_MARK
from lms.results.bulk import staging
from lms.results.bulk.rows import FileRow, Header, HeaderProblem, RowProblem, open_rows, read_row

BATCH = 5000  # rows looked up together (two parameters each in the registrations' lookup)
SHOWN = 10_000  # problems kept for printing; the others are counted
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class OfferingInfo:
    id: int
    is_ua: bool
    exams: tuple[date | None, date | None]
    juries: tuple[date | None, date | None]


@dataclass(frozen=True, slots=True)
class Current:
    """A result as it stands in the database."""

    id: int
    grade: Decimal | None
    absent: bool
    decision: str | None
    comment: str | None
    published: bool
    locked: bool
    version: int

    @property
    def value(self) -> tuple[Any, ...]:
        return (self.grade, self.absent, self.decision, self.comment)

    def fails(self) -> bool:
        if self.absent:
            return True
        if self.decision is not None:
            return self.decision == "not_validated"
        return self.grade is None or self.grade < PASS_MARK


@dataclass
class Check:
    """What the checking pass found: problems (``FILE:LINE: problem``, in line order) and counts."""

    filename: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def report(self, line: int | None, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < SHOWN:
            self.problems.append((line or 0, text))

    def lines(self) -> list[str]:
        out = [
            f"{self.filename}:{line}: {text}" if line else f"{self.filename}: {text}"
            for line, text in sorted(self.problems, key=lambda problem: problem[0])
        ]
        if self.problem_count > len(self.problems):
            out.append(
                f"{self.filename}: {self.problem_count - len(self.problems)} more problems not shown ({self.problem_count} in all)"
            )
        return out


def check_file(connection: sa.Connection, stream: IO[str], filename: str, *, publish: bool, today: date) -> Check:
    """Read and check every row of ``stream``; stage the good ones (nothing else is written)."""
    check = Check(filename)
    staging.create(connection)
    checker = _Checker(connection, check, publish, today)
    try:
        records = open_rows(stream)
        first = next(records, None)
        if first is None:
            check.report(None, "the file is empty")
            return check
        try:
            header = Header(first[1])
        except HeaderProblem as problem:
            for text in problem.problems:
                check.report(first[0], text)
            return check
        batch: list[FileRow] = []
        for line, cells in records:
            try:
                batch.append(read_row(header, line, cells))
            except RowProblem as problem:
                check.report(line, str(problem))
            if len(batch) >= BATCH:
                checker.resolve(batch)
                batch = []
        checker.resolve(batch)
    except UnicodeDecodeError:
        check.report(None, "not UTF-8 text: save the file as CSV UTF-8")
        return check
    except Exception as error:  # csv.Error: a broken quote, a NUL byte
        import csv

        if not isinstance(error, csv.Error):
            raise
        check.report(None, f"not a readable CSV file ({error})")
        return check
    staging.index(connection)
    for line, first_line in staging.duplicates(connection):
        check.report(line, f"duplicate of line {first_line}: the same learner, offering and exam session")
    if check.ok:
        check.counts = staging.counts(connection)
        if check.counts["rows"] == 0:
            check.report(None, "no results in the file")
    return check


class _Checker:
    def __init__(self, connection: sa.Connection, check: Check, publish: bool, today: date):
        self.connection = connection
        self.check = check
        self.publish = publish
        self.today = today
        self.offerings: dict[tuple, OfferingInfo | None] = {}

    def resolve(self, batch: list[FileRow]) -> None:
        if not batch:
            return
        learners = self._learners({row.learner_number for row in batch})
        self._load_offerings({row.offering for row in batch} - self.offerings.keys())
        pairs = set()
        for row in batch:
            offering = self.offerings.get(row.offering)
            if row.learner_number in learners and offering is not None:
                pairs.add((learners[row.learner_number], offering.id))
        registrations = self._registrations(pairs)
        results = self._results([registration[0] for registration in registrations.values()])
        staged = []
        for row in batch:
            try:
                staged.append(self._judge(row, learners, registrations, results))
            except RowProblem as problem:
                self.check.report(row.line, str(problem))
        staging.load(self.connection, staged)

    # --- lookups ------------------------------------------------------------------------------

    def _any(self, sql: str, *lists: list[Any]) -> list[tuple[Any, ...]]:
        """Rows of ``sql``, each ``{}`` in it a column to compare with one list of values: raw
        driver SQL, an ``IN`` list on SQLite, an array on PostgreSQL (no statement compiled per
        batch: at a million rows, compiling thousands of bound parameters cost more than the query)."""
        if self.connection.dialect.name == "postgresql":
            text = sql.format(*("= ANY(%s)" for _ in lists))
            return self.connection.exec_driver_sql(text, tuple(lists)).all()
        text = sql.format(*(f"IN ({', '.join('?' * len(values))})" for values in lists))
        return self.connection.exec_driver_sql(text, tuple(value for values in lists for value in values)).all()

    def _learners(self, numbers: set[str]) -> dict[str, int]:
        return dict(self._any("SELECT learner_number, id FROM learners WHERE learner_number {}", list(numbers)))

    def _load_offerings(self, keys: set[tuple]) -> None:
        if not keys:
            return
        for key in keys:
            self.offerings[key] = None
        rows = self._any(
            "SELECT o.id, u.code, o.academic_year, o.semester, o.modality, c.code, u.kind, o.exam1_on, o.exam2_on,"
            " o.jury1_on, o.jury2_on FROM offerings o JOIN units u ON o.unit_id = u.id"
            " JOIN centres c ON o.centre_id = c.id WHERE u.code {} AND o.academic_year {}",
            sorted({key[0] for key in keys}),
            sorted({key[1] for key in keys}),
        )
        for id_, code, year, semester, modality, centre, kind, *dates in rows:
            key = (code, year, semester, modality, centre)
            if key in keys:
                exam1, exam2, jury1, jury2 = (_day(value) for value in dates)
                self.offerings[key] = OfferingInfo(id_, kind == UnitKind.UA.value, (exam1, exam2), (jury1, jury2))

    def _registrations(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, str]]:
        """By learner and offering: both lists, the pairs kept (a file's rows share both)."""
        if not pairs:
            return {}
        # SQLite without statistics would walk the offering index (thousands of rows per offering):
        # a unary "+" keeps it to the learners' index.
        plus = "+" if self.connection.dialect.name == "sqlite" else ""
        rows = self._any(
            f"SELECT id, learner_id, offering_id, status FROM registrations WHERE learner_id {{}} AND {plus}offering_id {{}}",
            sorted({pair[0] for pair in pairs}),
            sorted({pair[1] for pair in pairs}),
        )
        return {
            (learner, offering): (id_, status)
            for id_, learner, offering, status in rows
            if (learner, offering) in pairs
        }

    def _results(self, registration_ids: list[int]) -> dict[tuple[int, int], Current]:
        if not registration_ids:
            return {}
        rows = self._any(
            "SELECT registration_id, exam_session, id, grade, absent, decision, comment, status, locked, version"
            " FROM results WHERE registration_id {}",
            registration_ids,
        )
        found = {}
        for registration_id, session, id_, grade, absent, decision, comment, status, locked, version in rows:
            found[(registration_id, session)] = Current(
                id_,
                None if grade is None else Decimal(str(grade)).quantize(HUNDREDTH),
                bool(absent),
                decision,
                comment or None,
                status == "published",
                bool(locked),
                version,
            )
        return found

    # --- the rules ----------------------------------------------------------------------------

    def _judge(self, row: FileRow, learners, registrations, results) -> tuple[Any, ...]:
        learner_id = learners.get(row.learner_number)
        if learner_id is None:
            raise RowProblem(f"unknown learner number {row.learner_number}")
        offering = self.offerings.get(row.offering)
        if offering is None:
            unit, year, semester, modality, centre = row.offering
            raise RowProblem(f"unknown offering: {unit} {year} {semester} {modality} at {centre}")
        if row.decision is not None and not offering.is_ua:
            raise RowProblem(f"{row.offering[0]} is a UE: it takes a grade, not a decision")
        registration = registrations.get((learner_id, offering.id))
        if registration is None:
            raise RowProblem(f"learner {row.learner_number} is not registered for this offering")
        registration_id, status = registration
        if status != "registered":
            raise RowProblem(f"learner {row.learner_number}'s registration for this offering is {status}")
        session = row.session
        if session == 2:
            first = results.get((registration_id, 1))
            if first is None or not first.published or not first.fails():
                raise RowProblem(
                    f"learner {row.learner_number} is not on the session 2 sheet: no failed session 1 result published"
                )
        current = results.get((registration_id, session))
        comment = row.comment if row.has_comment else (current.comment if current else None)
        value = (row.grade, row.absent, row.decision, comment)
        jury = offering.juries[session - 1]
        locked_sheet = jury is not None and self.today > jury
        publish = False
        if current is None:
            if locked_sheet:
                raise RowProblem(f"the sheet of session {session} is locked since the jury of {jury}: no new result")
            action, publish = staging.CREATE, self.publish
        elif value == current.value:
            if self.publish and not current.published:
                if locked_sheet:
                    raise RowProblem(f"the sheet of session {session} is locked since the jury of {jury}")
                action, publish = staging.PUBLISH_ONLY, True
            else:
                action = staging.NONE
        elif current.published or current.locked:
            if row.reason is None:
                raise RowProblem(
                    f"this result is published ({_shown(current.value)}): a change is a correction, "
                    "give its reason in the reason column"
                )
            action = staging.CORRECT
        else:
            if locked_sheet:
                raise RowProblem(f"the sheet of session {session} is locked since the jury of {jury}")
            action, publish = staging.EDIT, self.publish
        if publish:
            exam = offering.exams[session - 1]
            if exam is not None and self.today < exam:
                raise RowProblem(f"the exam of session {session} is on {exam}: its results cannot be published before")
        if row.decided_on is not None and row.decided_on > self.today:
            raise RowProblem(f"decided_on {row.decided_on} is in the future")
        was_published = current is not None and current.published
        locked = (current is not None and current.locked) or (action == staging.CORRECT and locked_sheet)
        old_json = "null" if current is None else _snapshot(current.value, was_published, current.locked)
        mid_json = _snapshot(value, was_published, current is not None and current.locked)
        new_json = _snapshot(value, was_published or publish, locked)
        return (
            row.line,
            learner_id,
            registration_id,
            session,
            None if current is None else current.id,
            None if current is None else current.version,
            action,
            publish,
            None if row.grade is None else str(row.grade),
            row.absent,
            row.decision,
            comment,
            locked,
            None if row.decided_on is None else row.decided_on.isoformat(),
            row.reason,
            old_json,
            mid_json,
            new_json,
        )


def _snapshot(value: tuple[Any, ...], published: bool, locked: bool) -> str:
    """The history's JSON of a result (:func:`lms.results.services.values.snapshot`), written out
    by hand: ``json.dumps`` of a dict was a tenth of the checking time."""
    grade, absent, decision, comment = value
    grade_json = "null" if grade is None else '"' + str(grade) + '"'
    decision_json = "null" if decision is None else '"' + decision + '"'
    comment_json = "null" if comment is None else json.dumps(comment)
    return (
        f'{{"grade": {grade_json}, "absent": {"true" if absent else "false"}, "decision": {decision_json}, '
        f'"comment": {comment_json}, "status": "{"published" if published else "draft"}", '
        f'"locked": {"true" if locked else "false"}}}'
    )


def _day(value: Any) -> date | None:
    """A date column read by the driver: a date (PostgreSQL) or its ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _shown(value: tuple[Any, ...]) -> str:
    grade, absent, decision, _comment = value
    if absent:
        return "absent"
    return " ".join(part for part in (None if grade is None else str(grade), decision) if part) or "a comment"


__all__ = ["BATCH", "Check", "check_file"]
