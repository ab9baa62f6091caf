"""Reading learner records (formats.md section 2) from YAML or JSON files, strictly.

Pydantic models (unknown keys forbidden) validate the record; every problem is told as ``FILE:LINE:
what is wrong`` (:mod:`.yamlsource`) and the file is refused as a whole (:class:`TranscriptError`).
Unknown unit codes are not problems here (the engine warns). Pure Python: no Flask, no database.
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
from lms.progress.audit.yamlsource import FormatError, StrictModel, problem, read_document, refuse, worded


class TranscriptError(FormatError):
    """Every problem found in a learner record, each as ``FILE:LINE: what is wrong``."""


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
    str, StringConstraints(strip_whitespace=True, min_length=1), worded("{what}: {key!r} must be a code, not {input!r}")
]
Required = BeforeValidator(_none_is_missing)
Date = Annotated[date | None, _as_date("{what}: {key!r} must be a date such as 2025-06-13, not {input!r}")]
NOT_A_GRADE, OUT_OF_RANGE = (
    "{what}: 'grade' must be a number from 0 to 20, not {input!r}",
    "{what}: 'grade' must be from 0 to 20, not {input}",
)
Grade = Annotated[
    float | None,
    Field(ge=0, le=20, allow_inf_nan=False),
    worded(NOT_A_GRADE, greater_than_equal=OUT_OF_RANGE, less_than_equal=OUT_OF_RANGE),
    AfterValidator(lambda grade: None if grade is None else Decimal(str(grade))),  # 12.3 is exactly 12.3
]


def _one_of(key: str, values: tuple[str, ...]) -> Any:
    return worded(f"{{what}}: '{key}' must be one of {', '.join(values)}, not {{input!r}}")


class _Item(StrictModel):
    """An entry whose fields are those of the record's entry (a plain dataclass the audit reads)."""

    entry_type: ClassVar[type]

    def entry(self) -> Any:
        return self.entry_type(**self.__dict__)


class ResultItem(_Item):
    entry_type = records.ResultEntry
    unit: Annotated[Code, Required]
    grade: Grade = None
    status: Annotated[Literal[records.RESULT_STATUSES] | None, _one_of("status", records.RESULT_STATUSES)] = None
    date: Date = None
    session: Annotated[int | None, Field(ge=1, le=2), worded("{what}: 'session' must be 1 or 2, not {input!r}")] = None

    @model_validator(mode="after")
    def _graded_or_decided(self) -> ResultItem:
        if self.grade is None and self.status is None:
            raise refuse("{what} has neither 'grade' nor 'status'")
        return self


class CreditItem(_Item):
    entry_type = records.CreditEntry
    unit: Annotated[Code, Required]
    source: Annotated[Literal[records.CREDIT_SOURCES], _one_of("source", records.CREDIT_SOURCES), Required]
    program: Code | None = None
    date: Date = None

    @model_validator(mode="after")
    def _ves_names_its_programme(self) -> CreditItem:
        if self.source == "ves" and self.program is None:
            raise refuse("{what}: a VES credit must name its 'program'")
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
            raise refuse("{what}: 'substitute' and 'for' are the same unit {unit}", unit=self.substitute)
        return self


class TranscriptFile(StrictModel):
    learner: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1),
        worded("'learner' must be a learner number as text (quote it: \"100234X\"), not {input!r}"),
    ]
    as_of: Annotated[date | None, _as_date("{key!r} must be a date such as 2025-06-13, not {input!r}")] = None
    results: list[ResultItem] | None = None
    credits: list[CreditItem] | None = None
    exceptions: list[ExceptionItem] | None = None

    def record(self) -> records.LearnerRecord:
        sections = (self.results, self.credits, self.exceptions)
        return records.LearnerRecord(self.learner, self.as_of, *(tuple(i.entry() for i in s or ()) for s in sections))


def _coded(word: str, key: str, joiner: str) -> Any:
    return lambda item: f"{word}{joiner}{item[key]}" if isinstance(item.get(key), str) else word


def _words(model: type[StrictModel]) -> dict[str, str]:
    keys = ", ".join(field.alias or name for name, field in model.model_fields.items())
    return {
        "missing": "{what} lacks {key!r}",
        "extra_forbidden": f"unknown key {{key!r}} in {{what}} (expected one of {keys})",
        "list_type": "{key!r} must be a list",
        "model_type": "{key!r}: entry {index} must be a mapping, not {input!r}",
    }


SECTIONS = {  # section: (how people name an entry, the words of its problems)
    "results": (_coded("result", "unit", " of "), _words(ResultItem)),
    "credits": (_coded("credit", "unit", " of "), _words(CreditItem)),
    "exceptions": (_coded("exception", "program", " in "), _words(ExceptionItem)),
}
FILE_WORDS = _words(TranscriptFile)


def read_transcript(path: str | Path) -> records.LearnerRecord:
    """Read and check one learner record; raise :class:`TranscriptError` listing every problem."""
    path = Path(path)
    try:
        data = read_document(path)
    except FormatError as error:
        raise TranscriptError(error.problems) from None
    if data is None:
        raise TranscriptError([f"{path}:1: the transcript is empty (it needs at least 'learner')"])
    if not isinstance(data, dict):
        keys = ", ".join(TranscriptFile.model_fields)
        raise TranscriptError([f"{path}:1: a transcript must be a mapping with {keys}, not {type(data).__name__}"])
    try:
        return TranscriptFile.model_validate(data).record()
    except ValidationError as error:
        found: list[tuple[int, int, str]] = []
        for details in sorted(error.errors(), key=lambda details: details["type"] != "extra_forbidden"):
            loc, what, words = details["loc"], "the transcript", FILE_WORDS
            item = data[loc[0]][loc[1]] if len(loc) > 1 and loc[0] in SECTIONS else None
            if isinstance(item, dict):
                name, words = SECTIONS[loc[0]]
                what = name(item)
            line, text = problem(details, data, words, what, key_lines=True)
            found.append((line, len(found), text))  # in line order, then in the order of the checks
        raise TranscriptError([f"{path}:{line}: {text}" for line, _order, text in sorted(found)]) from None
