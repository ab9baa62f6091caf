"""YAML (and JSON) documents that remember their lines, and pydantic problems told at those lines.

What the catalogue and learner-record readers share. :func:`read_document` builds plain values from
libyaml's events without recursion (deep nesting is refused cleanly); mappings are :class:`LineDict`
(their line and each key's). Aliases, collection tags, non-scalar or duplicate keys and several
documents are refused; an impossible date (2026-02-30) stays text for the readers to report.
:func:`refuse` and :func:`worded` give a model's problems the words of formats.md; :func:`problem`
turns a pydantic error into ``(line, text)`` through :func:`locate`. No Flask, no database.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, WrapValidator
from pydantic_core import ErrorDetails, PydanticCustomError

MAX_DEPTH = 64  # far beyond any real catalogue (the deepest Cnam tree has 5 levels)
_NO_KEY = object()
_TAGS = {yaml.MappingStartEvent: "tag:yaml.org,2002:map", yaml.SequenceStartEvent: "tag:yaml.org,2002:seq"}


class LineDict(dict):
    """A mapping that remembers the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class FormatError(Exception):
    """Every problem found, each as ``FILE:LINE: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: fast
    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value  # not a real date (2026-02-30): text, for the checks to report


class _JsonLoader(_Loader):  # for JSON text: YAML 1.1 reads 1e1 as a string, JSON means a number
    pass


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"), list("-0123456789")
)


def read_document(path: Path) -> Any:
    """The file's document (None when empty); raises :class:`FormatError`. A ``*.json`` file is
    checked by :mod:`json` first (its errors name line and column), then read as YAML (JSON is YAML
    but for tabs, which become spaces: outside strings, where JSON forbids them, they are blanks)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if json_text := path.suffix.lower() == ".json":
            json.loads(text)
            text = text.replace("\t", " ")
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(path, 0, f"cannot read the file: {getattr(error, 'strerror', None) or error}") from None
    except json.JSONDecodeError as error:
        raise _unreadable(path, error.lineno, f"JSON syntax error: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise _unreadable(path, 0, "JSON syntax error: nested too deeply") from None
    loader = (_JsonLoader if json_text else _Loader)(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _unreadable(path, mark.line + 1 if mark else 0, f"YAML syntax error: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise _unreadable(path, 0, f"YAML syntax error: {error}") from None
    finally:
        loader.dispose()


def _unreadable(path: Path, line: int, message: str) -> FormatError:
    return FormatError([f"{path}:{line}: {message}"])


def _build(loader: _Loader) -> Any:
    """One document from the event stream, built with an explicit stack (no recursion)."""

    def refused(message: str) -> yaml.MarkedYAMLError:
        return yaml.composer.ComposerError(None, None, message, event.start_mark)

    event = loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    stack: list[LineDict | list] = []  # the open collections
    keys: list[Any] = []  # for each, a mapping's key waiting for its value
    document = None
    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        awaits_key = bool(stack) and isinstance(stack[-1], LineDict) and keys[-1] is _NO_KEY
        if isinstance(event, yaml.AliasEvent):
            raise refused("aliases (*name) are not allowed in these files")
        if type(event) in _TAGS:
            if awaits_key:
                raise refused("a key must be a plain word or number")
            if event.tag not in (None, "!", _TAGS[type(event)]):
                raise refused(f"tags such as {event.tag} are not allowed in these files")
            if len(stack) >= MAX_DEPTH:
                raise refused(f"nested more than {MAX_DEPTH} levels deep")
            stack.append(LineDict() if isinstance(event, yaml.MappingStartEvent) else [])
            if isinstance(stack[-1], LineDict):
                stack[-1].line, stack[-1].key_lines = event.start_mark.line + 1, {}
            keys.append(_NO_KEY)
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            value, _key, awaits_key = stack.pop(), keys.pop(), False  # a collection is never a key
        else:
            tag = event.tag
            if tag in (None, "!"):
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            construct = loader.yaml_constructors.get(tag, loader.yaml_constructors[None])  # None: refuses the tag
            value = construct(loader, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))
        if awaits_key:
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                raise refused("a key must be a plain word or number")
            if value in stack[-1]:
                raise refused(f"duplicate key {value!r}")
            stack[-1].key_lines[value], keys[-1] = event.start_mark.line + 1, value
        elif not stack:
            document = value
        elif isinstance(stack[-1], list):
            stack[-1].append(value)
        else:
            stack[-1][keys[-1]], keys[-1] = value, _NO_KEY
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        mark = loader.peek_event().start_mark
        raise yaml.composer.ComposerError("expected a single document", None, "but found another document", mark)
    return document


class StrictModel(BaseModel):
    """The readers' models: unknown keys forbidden, no silent conversion ("12" is not 12, true not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def refuse(template: str, **values: Any) -> PydanticCustomError:
    """A problem (to raise in a validator) told as ``template``, filled in by :func:`problem`."""
    return PydanticCustomError("lms_problem", template, {"template": template, **values})


def worded(template: str, **by_type: str) -> WrapValidator:
    """``Annotated`` metadata: a problem with this value is told as ``template`` (or ``by_type[type]``).
    A whole number read as ``float`` stays an ``int`` (6 ECTS are written back as 6, not 6.0)."""

    def check(value: Any, handler: Any) -> Any:
        try:
            result = handler(value)
        except ValidationError as error:
            raise refuse(by_type.get(error.errors()[0]["type"], template)) from None
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
    error: ErrorDetails, document: Any, words: dict[str, str], what: str = "", key_lines: bool = False
) -> tuple[int, str]:
    """``(line, text)`` of a pydantic error: its :func:`refuse` template or ``words[type]``, with
    ``what`` (the entry as people name it), ``key`` and ``index`` (1-based) of the location, ``input``."""
    loc, context, value = error["loc"], dict(error.get("ctx") or {}), error["input"]
    _path, line = locate(document, loc[:-1] if error["type"] == "missing" else loc, key_lines)  # the entry lacks it
    fallback = "{key!r}: " + error["msg"].replace("{", "{{").replace("}", "}}")
    return line, (context.pop("template", None) or words.get(error["type"], fallback)).format(
        what=what,
        key=next((step for step in reversed(loc) if isinstance(step, str)), None),
        index=next((step + 1 for step in reversed(loc) if isinstance(step, int)), None),
        input=value.isoformat() if isinstance(value, date) else value,
        **context,
    )
