"""The pydantic models of learner records (formats.md section 2): what a record that the quick
check of :mod:`.transcripts` declines is validated with, every problem told as ``FILE:LINE: what is
wrong`` (:mod:`.yamlsource`) and the file refused as a whole (:class:`TranscriptError`). Unknown
unit codes are not problems here (the engine warns). Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from lms.progress.audit import records
from lms.progress.audit.transcripts import TranscriptError
from lms.progress.audit.yamlsource import (
    N_,
    Msg,
    Problem,
    StrictModel,
    msg,
    problem,
    refuse,
    worded,
)


def _none_is_missing(value: Any) -> Any:
    if value is None:  # a required key left empty is missing, not a wrong value
        raise PydanticCustomError("missing", "Field required")
    return value


def _as_date(template: str) -> BeforeValidator:
    """A date, or text such as 2025-06-13 (JSON has no dates); not a date and time."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
            with suppress(ValueError):
                value = date.fromisoformat(value.strip())
        if value is None or type(value) is date:
            return value
        raise refuse(template)

    return BeforeValidator(check)


Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    worded(N_("{what}: {key!r} must be a code, not {input!r}")),
]
Required = BeforeValidator(_none_is_missing)
Date = Annotated[date | None, _as_date(N_("{what}: {key!r} must be a date such as 2025-06-13, not {input!r}"))]
NOT_A_GRADE, OUT_OF_RANGE = (
    N_("{what}: 'grade' must be a number from 0 to 20, not {input!r}"),
    N_("{what}: 'grade' must be from 0 to 20, not {input}"),
)
Grade = Annotated[
    float | None,
    Field(ge=0, le=20, allow_inf_nan=False),
    worded(NOT_A_GRADE, greater_than_equal=OUT_OF_RANGE, less_than_equal=OUT_OF_RANGE),
    AfterValidator(lambda grade: None if grade is None else Decimal(str(grade))),  # 12.3 is exactly 12.3
]


def _one_of(values: tuple[str, ...]) -> Any:
    return worded(N_("{what}: {key!r} must be one of {values}, not {input!r}"), {"values": ", ".join(values)})


class _Item(StrictModel):
    """An entry whose fields are those of the record's entry (a plain dataclass the audit reads)."""

    entry_type: ClassVar[type]

    def entry(self) -> Any:
        return self.entry_type(**self.__dict__)


class ResultItem(_Item):
    entry_type = records.ResultEntry
    unit: Annotated[Code, Required]
    grade: Grade = None
    status: Annotated[Literal[records.RESULT_STATUSES] | None, _one_of(records.RESULT_STATUSES)] = None
    date: Date = None
    session: Annotated[int | None, Field(ge=1, le=2), worded(N_("{what}: 'session' must be 1 or 2, not {input!r}"))] = (
        None
    )

    @model_validator(mode="after")
    def _graded_or_decided(self) -> ResultItem:
        if self.grade is None and self.status is None:
            raise refuse(N_("{what} has neither 'grade' nor 'status'"))
        return self


class CreditItem(_Item):
    entry_type = records.CreditEntry
    unit: Annotated[Code, Required]
    source: Annotated[Literal[records.CREDIT_SOURCES], _one_of(records.CREDIT_SOURCES), Required]
    program: Code | None = None
    date: Date = None

    @model_validator(mode="after")
    def _ves_names_its_programme(self) -> CreditItem:
        if self.source == "ves" and self.program is None:
            raise refuse(N_("{what}: a VES credit must name its 'program'"))
        return self


class ExceptionItem(_Item):
    entry_type = records.ExceptionEntry
    program: Annotated[Code, Required]
    substitute: Annotated[Code, Required]
    replaces: Annotated[Code, Required] = Field(alias="for")
    reason: Annotated[Any, BeforeValidator(lambda x: x if x is None else str(getattr(x, "isoformat", lambda: x)()))] = (
        None
    )

    @model_validator(mode="after")
    def _two_units(self) -> ExceptionItem:
        if self.substitute == self.replaces:
            raise refuse(N_("{what}: 'substitute' and 'for' are the same unit {unit}"), unit=self.substitute)
        return self


class TranscriptFile(StrictModel):
    learner: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1),
        worded(N_("'learner' must be a learner number as text (quote it: \"100234X\"), not {input!r}")),
    ]
    as_of: Annotated[date | None, _as_date(N_("{key!r} must be a date such as 2025-06-13, not {input!r}"))] = None
    results: list[ResultItem] | None = None
    credits: list[CreditItem] | None = None
    exceptions: list[ExceptionItem] | None = None

    def record(self) -> records.LearnerRecord:
        sections = (self.results, self.credits, self.exceptions)
        return records.LearnerRecord(self.learner, self.as_of, *(tuple(i.entry() for i in s or ()) for s in sections))


def _coded(word: str, coded: str, key: str) -> Any:
    return lambda item: msg(coded, code=item[key]) if isinstance(item.get(key), str) else msg(word)


def _words(model: type[StrictModel]) -> dict[str, Any]:
    keys = ", ".join(field.alias or name for name, field in model.model_fields.items())
    return {
        "missing": N_("{what} lacks {key!r}"),
        "extra_forbidden": msg(N_("unknown key {key!r} in {what} (expected one of {expected})"), expected=keys),
        "list_type": N_("{key!r} must be a list"),
        "model_type": N_("{key!r}: entry {index} must be a mapping, not {input!r}"),
    }


SECTIONS = {  # section: (how people name an entry, the words of its problems)
    "results": (_coded(N_("result"), N_("result of {code}"), "unit"), _words(ResultItem)),
    "credits": (_coded(N_("credit"), N_("credit of {code}"), "unit"), _words(CreditItem)),
    "exceptions": (_coded(N_("exception"), N_("exception in {code}"), "program"), _words(ExceptionItem)),
}
FILE_WORDS = _words(TranscriptFile)


def checked(path: Path, data: Any) -> records.LearnerRecord:
    """The record of a document (not None), checked by the models; raise :class:`TranscriptError`."""
    if not isinstance(data, dict):
        keys, kind = ", ".join(TranscriptFile.model_fields), type(data).__name__
        shape = msg(N_("a transcript must be a mapping with {keys}, not {kind}"), keys=keys, kind=kind)
        raise TranscriptError([Problem(str(path), 1, shape)])
    try:
        return TranscriptFile.model_validate(data).record()
    except ValidationError as error:
        found: list[tuple[int, int, Msg]] = []
        for details in sorted(error.errors(), key=lambda details: details["type"] != "extra_forbidden"):
            loc, what, words = details["loc"], msg(N_("the transcript")), FILE_WORDS
            item = data[loc[0]][loc[1]] if len(loc) > 1 and loc[0] in SECTIONS else None
            if isinstance(item, dict):
                name, words = SECTIONS[loc[0]]
                what = name(item)
            line, text = problem(details, data, words, what, key_lines=True)
            found.append((line, len(found), text))  # in line order, then in the order of the checks
        found.sort(key=lambda found: found[:2])
        raise TranscriptError([Problem(str(path), line, text) for line, _order, text in found]) from None
