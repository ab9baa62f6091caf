"""Reading learner records (formats.md section 2) from YAML or JSON files, strictly.

Like the catalogue loader, the reader refuses a malformed file as a whole: it collects every
problem as ``FILE:LINE: what is wrong`` and raises :class:`TranscriptError`. Unknown unit codes are
not problems here (the engine reports them as warnings). Pure Python: no Flask, no database.

YAML goes through the catalogue loader's line-tracking loader. JSON files (``*.json``) are first
checked by :mod:`json`, so a JSON syntax error names its own line and column, then read by the same
YAML loader (JSON is YAML; tabs, JSON's whitespace but not YAML's, become spaces, and JSON's
exponent numbers such as ``1.25e1`` stay numbers).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lms.progress.audit.catalogue import LineDict, _construct_mapping, _LineLoader
from lms.progress.audit.records import (
    CREDIT_SOURCES,
    RESULT_STATUSES,
    CreditEntry,
    ExceptionEntry,
    LearnerRecord,
    ResultEntry,
)

TOP_KEYS = ("learner", "as_of", "results", "credits", "exceptions")
RESULT_KEYS = ("unit", "grade", "status", "date", "session")
CREDIT_KEYS = ("unit", "source", "program", "date")
EXCEPTION_KEYS = ("program", "substitute", "for", "reason")


class TranscriptError(Exception):
    """Every problem found, each as ``FILE:LINE: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- loading -------------------------------------------------------------------------------------


class _TranscriptLoader(_LineLoader):
    """The catalogue's line-tracking loader; mappings also remember the line of each key."""


def _construct_mapping_with_key_lines(loader: _TranscriptLoader, node: yaml.MappingNode) -> LineDict:
    mapping = _construct_mapping(loader, node)
    # Keys were constructed (and cached) above; scalars, so this only reads them back.
    mapping.key_lines = {
        loader.construct_object(key_node): key_node.start_mark.line + 1 for key_node, _value in node.value
    }
    return mapping


def _construct_timestamp(loader: _TranscriptLoader, node: yaml.ScalarNode) -> Any:
    """An impossible date such as 2025-02-30 stays text, so the checks below report it in place."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_TranscriptLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_with_key_lines)
_TranscriptLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _JsonTranscriptLoader(_TranscriptLoader):
    """For JSON text: YAML 1.1 reads ``1e1`` as a string; JSON means a number."""


_JsonTranscriptLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"),
    list("-0123456789"),
)


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _load(path: Path, problems: list[str]) -> Any:
    """The parsed document, or None after reporting why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path}:0: cannot read the file: {getattr(error, 'strerror', None) or error}")
        return None
    loader: type[_TranscriptLoader] = _TranscriptLoader
    if _is_json(path):
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{error.lineno}: JSON syntax error: {error.msg} (column {error.colno})")
            return None
        except RecursionError:
            problems.append(f"{path}:0: JSON syntax error: nested too deeply")
            return None
        # Outside strings (where JSON forbids raw tabs) a tab is whitespace in JSON, not in YAML.
        text = text.replace("\t", " ")
        loader = _JsonTranscriptLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(error, "problem", None) or str(error)
        problems.append(f"{path}:{line}: YAML syntax error: {reason}")
    except TypeError:  # an unhashable mapping key, such as "? [a, b]"
        problems.append(f"{path}:0: YAML syntax error: a mapping key must be a plain value")
    return None


# --- checking ------------------------------------------------------------------------------------


def read_transcript(path: str | Path) -> LearnerRecord:
    """Read and check one learner record; raise :class:`TranscriptError` listing every problem."""
    return _Reader(Path(path)).read()


def _describe(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return repr(value.isoformat())
    return repr(value)


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def line_of(self, problem: str) -> int:
        return int(problem[len(str(self.path)) + 1 :].split(":", 1)[0])

    @staticmethod
    def line(mapping: LineDict, key: str) -> int:
        return getattr(mapping, "key_lines", {}).get(key, mapping.line)

    def read(self) -> LearnerRecord:
        data = _load(self.path, self.problems)
        if self.problems:
            raise TranscriptError(self.problems)
        if data is None:
            raise TranscriptError([f"{self.path}:1: the transcript is empty (it needs at least 'learner')"])
        if not isinstance(data, LineDict):
            raise TranscriptError(
                [f"{self.path}:1: a transcript must be a mapping with {', '.join(TOP_KEYS)}, not {type(data).__name__}"]
            )
        self.unknown_keys(data, TOP_KEYS, "the transcript")
        learner = None
        if "learner" not in data:
            self.problem(data.line, "the transcript lacks 'learner'")
        else:
            learner = data["learner"]
            if not isinstance(learner, str) or not learner.strip():
                self.problem(
                    self.line(data, "learner"),
                    f"'learner' must be a learner number as text (quote it: \"100234X\"), not {_describe(learner)}",
                )
                learner = None
        as_of = self.date(data, "as_of", "")
        results = tuple(self.entries(data, "results", self.result))
        credits = tuple(self.entries(data, "credits", self.credit))
        exceptions = tuple(self.entries(data, "exceptions", self.exception))
        if self.problems:
            raise TranscriptError(sorted(self.problems, key=self.line_of))
        assert learner is not None
        return LearnerRecord(learner.strip(), as_of, results, credits, exceptions)

    # --- pieces ---

    def unknown_keys(self, item: LineDict, allowed: tuple[str, ...], what: str) -> None:
        for key in item:
            if key not in allowed:
                self.problem(
                    self.line(item, key), f"unknown key {key!r} in {what} (expected one of {', '.join(allowed)})"
                )

    def missing_keys(self, item: LineDict, required: tuple[str, ...], what: str) -> bool:
        missing = [key for key in required if key not in item or item[key] is None]
        for key in missing:
            self.problem(item.line, f"{what} lacks {key!r}")
        return not missing

    def entries(self, data: LineDict, key: str, read) -> list:
        items = data.get(key)
        if items is None:
            return []
        if not isinstance(items, list):
            self.problem(self.line(data, key), f"{key!r} must be a list")
            return []
        out = []
        for index, item in enumerate(items, start=1):
            if not isinstance(item, LineDict):
                self.problem(self.line(data, key), f"{key!r}: entry {index} must be a mapping, not {_describe(item)}")
                continue
            entry = read(item)
            if entry is not None:
                out.append(entry)
        return out

    def code(self, item: LineDict, key: str, what: str) -> str | None:
        """A unit or programme code: non-empty text (unknown codes are the engine's business)."""
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem(self.line(item, key), f"{what}: {key!r} must be a code, not {_describe(value)}")
        return None

    def date(self, item: LineDict, key: str, what: str) -> date | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                    return date.fromisoformat(value.strip())
            except ValueError:
                pass
        prefix = f"{what}: " if what else ""
        self.problem(self.line(item, key), f"{prefix}{key!r} must be a date such as 2025-06-13, not {_describe(value)}")
        return None

    def result(self, item: LineDict) -> ResultEntry | None:
        what = f"result of {item['unit']}" if isinstance(item.get("unit"), str) else "result"
        self.unknown_keys(item, RESULT_KEYS, what)
        ok = self.missing_keys(item, ("unit",), what)
        unit = self.code(item, "unit", what) if ok else None
        grade = None
        if item.get("grade") is not None:
            value = item["grade"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                self.problem(
                    self.line(item, "grade"), f"{what}: 'grade' must be a number from 0 to 20, not {_describe(value)}"
                )
            elif not 0 <= value <= 20:
                self.problem(self.line(item, "grade"), f"{what}: 'grade' must be from 0 to 20, not {value}")
            else:
                grade = Decimal(str(value))
        status = item.get("status")
        if status is not None and status not in RESULT_STATUSES:
            self.problem(
                self.line(item, "status"),
                f"{what}: 'status' must be one of {', '.join(RESULT_STATUSES)}, not {_describe(status)}",
            )
            status = None
        if item.get("grade") is None and item.get("status") is None:
            self.problem(item.line, f"{what} has neither 'grade' nor 'status'")
        session = item.get("session")
        if session is not None and (isinstance(session, bool) or session not in (1, 2)):
            self.problem(self.line(item, "session"), f"{what}: 'session' must be 1 or 2, not {_describe(session)}")
            session = None
        day = self.date(item, "date", what)
        if unit is None or (grade is None and status is None):
            return None
        return ResultEntry(unit=unit, grade=grade, status=status, date=day, session=session)

    def credit(self, item: LineDict) -> CreditEntry | None:
        what = f"credit of {item['unit']}" if isinstance(item.get("unit"), str) else "credit"
        self.unknown_keys(item, CREDIT_KEYS, what)
        ok = self.missing_keys(item, ("unit", "source"), what)
        unit = self.code(item, "unit", what) if item.get("unit") is not None else None
        source = item.get("source")
        if source is not None and source not in CREDIT_SOURCES:
            self.problem(
                self.line(item, "source"),
                f"{what}: 'source' must be one of {', '.join(CREDIT_SOURCES)}, not {_describe(source)}",
            )
            ok = False
        program = None
        if item.get("program") is not None:
            program = self.code(item, "program", what)
            ok = ok and program is not None
        elif source == "ves":
            self.problem(item.line, f"{what}: a VES credit must name its 'program'")
            ok = False
        day = self.date(item, "date", what)
        if not ok or unit is None:
            return None
        return CreditEntry(unit=unit, source=source, program=program, date=day)

    def exception(self, item: LineDict) -> ExceptionEntry | None:
        program = item.get("program")
        what = f"exception in {program}" if isinstance(program, str) else "exception"
        self.unknown_keys(item, EXCEPTION_KEYS, what)
        if not self.missing_keys(item, ("program", "substitute", "for"), what):
            return None
        codes = [self.code(item, key, what) for key in ("program", "substitute", "for")]
        reason = item.get("reason")
        if reason is not None and not isinstance(reason, str):
            reason = str(reason.isoformat() if isinstance(reason, date) else reason)
        if None in codes:
            return None
        program, substitute, replaces = codes
        if substitute == replaces:
            self.problem(item.line, f"{what}: 'substitute' and 'for' are the same unit {substitute}")
            return None
        return ExceptionEntry(program=program, substitute=substitute, replaces=replaces, reason=reason)
