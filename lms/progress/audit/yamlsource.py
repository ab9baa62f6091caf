"""YAML (and JSON) documents that remember their lines, and pydantic problems told at those lines.

What the catalogue and learner-record readers share. :func:`load_document` builds plain values from
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


class LineDict(dict):
    """A mapping that remembers the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class SyntaxProblem(Exception):
    """The document cannot be read: ``message`` (``YAML syntax error: ...``) at ``line``."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"{line}: {message}")


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


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class _JsonLoader(_Loader):
    """For JSON text: YAML 1.1 reads ``1e1`` as a string; JSON means a number."""


_JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][-+]?[0-9]+$"), list("-0123456789")
)


def read_document(path: Path) -> Any:
    """:func:`load_document` of a file (as JSON when named ``*.json``); unreadable is a problem too."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SyntaxProblem(0, f"cannot read the file: {getattr(error, 'strerror', None) or error}") from None
    return load_document(text, json_text=path.suffix.lower() == ".json")


def load_document(text: str, json_text: bool = False) -> Any:
    """The document's value (None when empty); raises :class:`SyntaxProblem`. JSON is checked by
    :mod:`json` first (its errors name line and column), then read as YAML (JSON is YAML, but for tabs)."""
    if json_text:
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise SyntaxProblem(error.lineno, f"JSON syntax error: {error.msg} (column {error.colno})") from None
        except RecursionError:
            raise SyntaxProblem(0, "JSON syntax error: nested too deeply") from None
        text = text.replace("\t", " ")  # outside strings (where JSON forbids raw tabs) a tab is whitespace
    loader = (_JsonLoader if json_text else _Loader)(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise SyntaxProblem(mark.line + 1 if mark else 0, f"YAML syntax error: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise SyntaxProblem(0, f"YAML syntax error: {error}") from None
    finally:
        loader.dispose()


def _refused(message: str, event: yaml.Event) -> yaml.MarkedYAMLError:
    return yaml.composer.ComposerError(None, None, message, event.start_mark)


_NO_KEY = object()
_COLLECTIONS = {
    yaml.MappingStartEvent: (LineDict, "tag:yaml.org,2002:map"),
    yaml.SequenceStartEvent: (list, "tag:yaml.org,2002:seq"),
}


def _build(loader: _Loader) -> Any:
    """One document from the event stream, built with an explicit stack (no recursion)."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    stack: list[LineDict | list] = []
    keys: list[Any] = []  # for each open collection: a mapping's key waiting for its value
    document = None
    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        awaits_key = bool(stack) and isinstance(stack[-1], LineDict) and keys[-1] is _NO_KEY
        if isinstance(event, yaml.AliasEvent):
            raise _refused("aliases (*name) are not allowed in these files", event)
        if type(event) in _COLLECTIONS:
            kind, tag = _COLLECTIONS[type(event)]
            if awaits_key:
                raise _refused("a key must be a plain word or number", event)
            if event.tag not in (None, "!", tag):
                raise _refused(f"tags such as {event.tag} are not allowed in these files", event)
            if len(stack) >= MAX_DEPTH:
                raise _refused(f"nested more than {MAX_DEPTH} levels deep", event)
            stack.append(kind())
            if kind is LineDict:
                stack[-1].line, stack[-1].key_lines = event.start_mark.line + 1, {}
            keys.append(_NO_KEY)
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            value = stack.pop()
            keys.pop()
        else:
            value = _scalar(loader, event)
            if awaits_key:
                if not isinstance(value, (str, int, float, bool)) and value is not None:
                    raise _refused("a key must be a plain word or number", event)
                if value in stack[-1]:
                    raise _refused(f"duplicate key {value!r}", event)
                stack[-1].key_lines[value] = event.start_mark.line + 1
                keys[-1] = value
                continue
        if not stack:
            document = value
        elif isinstance(stack[-1], list):
            stack[-1].append(value)
        else:
            stack[-1][keys[-1]] = value
            keys[-1] = _NO_KEY
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.peek_event()
        raise yaml.composer.ComposerError(
            "expected a single document", None, "but found another document", event.start_mark
        )
    return document


def _scalar(loader: _Loader, event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag in (None, "!"):
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    construct = loader.yaml_constructors.get(tag, loader.yaml_constructors[None])  # None: refuses the tag
    return construct(loader, node)


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
            if key_lines:
                line = getattr(node, "key_lines", {}).get(step, line)
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
    error: ErrorDetails, document: Any, templates: dict[str, str], what: str = "", key_lines: bool = False
) -> tuple[int, str]:
    """``(line, text)`` of a pydantic error: its :func:`refuse` template or ``templates[type]``, with
    ``what`` (the entry as people name it), ``key`` and ``index`` (1-based) of the location, ``input``."""
    loc = error["loc"]
    _path, line = locate(document, loc[:-1] if error["type"] == "missing" else loc, key_lines)  # the entry lacks it
    context = dict(error.get("ctx") or {})
    fallback = "{key!r}: " + error["msg"].replace("{", "{{").replace("}", "}}")
    template = context.pop("template", None) or templates.get(error["type"], fallback)
    value = error["input"]
    return line, template.format(
        what=what,
        key=next((step for step in reversed(loc) if isinstance(step, str)), None),
        index=next((step + 1 for step in reversed(loc) if isinstance(step, int)), None),
        input=value.isoformat() if isinstance(value, date) else value,
        **context,
    )
