"""Pydantic problems told at the lines of YAML (and JSON) documents (:mod:`.documents`).

What the catalogue and learner-record readers share, besides reading the documents
(:mod:`.documents`, re-exported here): :func:`refuse` and :func:`worded` give a model's problems the
words of formats.md; :func:`problem` turns a pydantic error into ``(line, message)`` through
:func:`locate`. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, WrapValidator
from pydantic_core import ErrorDetails, PydanticCustomError

from lms.progress.audit.documents import (  # noqa: F401 (the readers name them from here)
    MAX_DEPTH,
    N_,
    FormatError,
    LineDict,
    Msg,
    Problem,
    msg,
    read_document,
)


class StrictModel(BaseModel):
    """The readers' models: unknown keys forbidden, no silent conversion ("12" is not 12, true not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def refuse(template: str, **values: Any) -> PydanticCustomError:
    """A problem (to raise in a validator) told as ``template`` (marked with :func:`N_`), filled in
    by :func:`problem` with ``values`` and the error's own."""
    return PydanticCustomError("lms_problem", template, {"template": template, **values})


def worded(template: str, params: Mapping[str, Any] | None = None, **by_type: str) -> WrapValidator:
    """``Annotated`` metadata: a problem with this value is told as ``template`` (or ``by_type[type]``),
    filled with ``params`` too. A whole number read as ``float`` stays an ``int`` (6 ECTS are written
    back as 6, not 6.0)."""

    def check(value: Any, handler: Any) -> Any:
        try:
            result = handler(value)
        except ValidationError as error:
            raise refuse(by_type.get(error.errors()[0]["type"], template), **(params or {})) from None
        return value if type(value) is int and type(result) is float else result

    return WrapValidator(check)


def locate(document: Any, loc: tuple[str | int, ...], key_lines: bool = False) -> tuple[tuple[str | int, ...], int]:
    """The data path of a pydantic error location (steps naming no data, such as union tags, left out)
    and the line of the deepest mapping on it (with ``key_lines``: of the key leading further)."""
    node, path, line = document, [], document.line if isinstance(document, LineDict) else 0
    for step in loc:
        if isinstance(node, dict) and step in node:
            line = getattr(node, "key_lines", {}).get(step, line) if key_lines else line
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            continue
        path.append(step)
        if isinstance(node, LineDict) and (not key_lines or isinstance(step, int)):
            line = node.line
    return tuple(path), line


def problem(
    error: ErrorDetails, document: Any, words: Mapping[str, str | Msg], what: str | Msg = "", key_lines: bool = False
) -> tuple[int, Msg]:
    """``(line, message)`` of a pydantic error: its :func:`refuse` template or ``words[type]`` (a
    template, or a message with params of its own), with ``what`` (the entry as people name it),
    ``key`` and ``index`` (1-based) of the location, ``input``; other errors keep pydantic's words."""
    loc, context, value = error["loc"], dict(error.get("ctx") or {}), error["input"]
    _path, line = locate(document, loc[:-1] if error["type"] == "missing" else loc, key_lines)  # the entry lacks it
    told = context.pop("template", None) or words.get(error["type"]) or msg(N_("{key!r}: {detail}"))
    told = told if isinstance(told, Msg) else msg(told)
    params = {
        "what": what,
        "key": next((step for step in reversed(loc) if isinstance(step, str)), None),
        "index": next((step + 1 for step in reversed(loc) if isinstance(step, int)), None),
        "input": value.isoformat() if isinstance(value, date) else value,
        "detail": error["msg"],
        **context,
        **told.params,
    }
    return line, Msg(told.template, params)
