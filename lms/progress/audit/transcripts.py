"""Reading learner records (formats.md section 2) from YAML or JSON files, strictly.

A quick check in plain Python takes the records that are right as they are (nearly all of them),
without pydantic; a record it declines is validated by the pydantic models of
:mod:`.transcript_models`, which tell every problem as ``FILE:LINE: what is wrong`` and refuse the
file as a whole (:class:`TranscriptError`). The quick check accepts only what the models accept
and builds the same record, so the models alone decide the messages (a test compares both on
right and wrong records). Unknown unit codes are not problems here (the engine warns). Pure
Python: no Flask, no database.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from lms.progress.audit import records
from lms.progress.audit.documents import N_, FormatError, Problem, msg, read_document

FILE_KEYS = frozenset({"learner", "as_of", "results", "credits", "exceptions"})
RESULT_KEYS = frozenset({"unit", "grade", "status", "date", "session"})
CREDIT_KEYS = frozenset({"unit", "source", "program", "date"})
EXCEPTION_KEYS = frozenset({"program", "substitute", "for", "reason"})
_DATE_TEXT = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


class TranscriptError(FormatError):
    """Every problem found in a learner record: ``details`` (:class:`Problem`), ``problems`` (their
    English lines ``FILE:LINE: what is wrong``)."""


def read_transcript(path: str | Path) -> records.LearnerRecord:
    """Read and check one learner record; raise :class:`TranscriptError` listing every problem."""
    path = Path(path)
    try:
        data = read_document(path)
    except FormatError as error:
        raise TranscriptError(error.details) from None
    if data is None:
        empty = msg(N_("the transcript is empty (it needs at least 'learner')"))
        raise TranscriptError([Problem(str(path), 1, empty)])
    record = quick_record(data)
    if record is not None:
        return record
    from lms.progress.audit.transcript_models import checked

    return checked(path, data)


# --- the quick check: the record when the models would take it as it is, else None ---------------


class _Declined(Exception):
    pass


def quick_record(data: Any) -> records.LearnerRecord | None:
    """The record of a document, when it is right; None when the models must look at it."""
    try:
        return _record(data)
    except _Declined:
        return None


def _record(data: Any) -> records.LearnerRecord:
    mapping(data, FILE_KEYS)
    learner = code(data.get("learner", None))
    as_of = day(data.get("as_of"))
    results = tuple(_result(item) for item in entries(data.get("results")))
    credits = tuple(_credit(item) for item in entries(data.get("credits")))
    exceptions = tuple(_exception(item) for item in entries(data.get("exceptions")))
    return records.LearnerRecord(learner, as_of, results, credits, exceptions)


def _result(item: Any) -> records.ResultEntry:
    mapping(item, RESULT_KEYS)
    grade, status, session = item.get("grade"), item.get("status"), item.get("session")
    if grade is not None:
        if type(grade) not in (int, float) or not math.isfinite(grade) or not 0 <= grade <= 20:
            raise _Declined
        grade = Decimal(str(grade))
    if status is not None and (type(status) is not str or status not in records.RESULT_STATUSES):
        raise _Declined
    if session is not None and (type(session) is not int or session not in (1, 2)):
        raise _Declined
    if grade is None and status is None:
        raise _Declined
    return records.ResultEntry(code(item.get("unit")), grade, status, day(item.get("date")), session)


def _credit(item: Any) -> records.CreditEntry:
    mapping(item, CREDIT_KEYS)
    source = item.get("source")
    if type(source) is not str or source not in records.CREDIT_SOURCES:
        raise _Declined
    program = None if item.get("program") is None else code(item["program"])
    if source == "ves" and program is None:
        raise _Declined
    return records.CreditEntry(code(item.get("unit")), source, program, day(item.get("date")))


def _exception(item: Any) -> records.ExceptionEntry:
    mapping(item, EXCEPTION_KEYS)
    program, substitute, replaces = code(item.get("program")), code(item.get("substitute")), code(item.get("for"))
    if substitute == replaces:
        raise _Declined
    reason = item.get("reason")
    if reason is not None:
        reason = str(getattr(reason, "isoformat", lambda: reason)())
    return records.ExceptionEntry(program, substitute, replaces, reason)


def mapping(value: Any, keys: frozenset[str]) -> None:
    if not isinstance(value, dict) or not keys.issuperset(value):
        raise _Declined


def entries(value: Any) -> list:
    if value is None:
        return []
    if type(value) is not list:
        raise _Declined
    return value


def code(value: Any) -> str:
    """Text, stripped and not empty (a unit, programme or learner code)."""
    if type(value) is not str or not value.strip():
        raise _Declined
    return value.strip()


def day(value: Any) -> date | None:
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise _Declined from None
    if value is None or type(value) is date:
        return value
    raise _Declined
