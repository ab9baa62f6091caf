"""YAML (and JSON) documents that remember their lines, and the problems told at those lines.

:func:`read_document` builds plain values from libyaml's events (the C parser when present)
without recursion (deep nesting is refused cleanly); mappings are :class:`LineDict` (their line and
each key's). Aliases, collection tags, non-scalar or duplicate keys and several documents are
refused; an impossible date (2026-02-30) stays text for the readers to report.

A problem is a :class:`Problem` (file, line, :class:`Msg`): ``str()`` is the English line of
formats.md section 3 (``FILE:LINE: what is wrong``, a contract with scripts), and pages translate the
message where they show it (:mod:`lms.catalog.problems`): each template is an English msgid marked
with :func:`N_` for Babel (this package imports no Babel). No pydantic (:mod:`.yamlsource` holds
the readers' pydantic helpers), no Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

MAX_DEPTH = 64  # far beyond any real catalogue (the deepest Cnam tree has 5 levels)
_NO_KEY = object()
_SCALARS: dict[tuple, Any] = {}  # (tag, text, implicit) -> the value built (immutable values only)
_SCALARS_KEPT = 200_000
_IMMUTABLE = frozenset({str, int, float, bool, type(None), date, datetime})
_TAGS = {yaml.MappingStartEvent: "tag:yaml.org,2002:map", yaml.SequenceStartEvent: "tag:yaml.org,2002:seq"}


class LineDict(dict):
    """A mapping that remembers the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


def N_(template: str) -> str:
    """Marks an English message template for Babel's extraction (the template is the msgid)."""
    return template


@dataclass(frozen=True)
class Msg:
    """A message: an English ``template`` (marked with :func:`N_`) filled by :meth:`str.format` with
    ``params``, which may be messages themselves. ``str()`` is the English text; a page calls
    :meth:`render` with its ``gettext``."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        params = {key: value.render(gettext) if isinstance(value, Msg) else value for key, value in self.params.items()}
        if gettext is not None:
            try:
                return gettext(self.template).format(**params)
            except (IndexError, KeyError, ValueError):  # a broken translation: English rather than nothing
                pass
        return self.template.format(**params)

    def __str__(self) -> str:
        return self.render()


def msg(template: str, **params: Any) -> Msg:
    return Msg(template, params)


@dataclass(frozen=True)
class Problem:
    """Something wrong at ``line`` of ``file`` (0: the whole file); ``str()`` is ``FILE:LINE: message``."""

    file: str
    line: int
    message: Msg

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FormatError(Exception):
    """Every problem found: ``details`` as :class:`Problem` (or plain text), ``problems`` as their
    English lines ``FILE:LINE: what is wrong``."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.details = list(problems)
        self.problems = [str(problem) for problem in self.details]
        super().__init__("\n".join(self.problems))


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
        reason = getattr(error, "strerror", None) or str(error)
        raise _unreadable(path, 0, msg(N_("cannot read the file: {reason}"), reason=reason)) from None
    except json.JSONDecodeError as error:
        syntax = msg(N_("JSON syntax error: {detail} (column {column})"), detail=error.msg, column=error.colno)
        raise _unreadable(path, error.lineno, syntax) from None
    except RecursionError:
        raise _unreadable(path, 0, msg(N_("JSON syntax error: nested too deeply"))) from None
    loader = (_JsonLoader if json_text else _Loader)(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = getattr(error, "lms_message", None) or error.problem or str(error)
        syntax = msg(N_("YAML syntax error: {detail}"), detail=detail)
        raise _unreadable(path, mark.line + 1 if mark else 0, syntax) from None
    except yaml.YAMLError as error:
        raise _unreadable(path, 0, msg(N_("YAML syntax error: {detail}"), detail=str(error))) from None
    finally:
        loader.dispose()


def _unreadable(path: Path, line: int, message: Msg) -> FormatError:
    return FormatError([Problem(str(path), line, message)])


def _build(loader: _Loader) -> Any:
    """One document from the event stream, built with an explicit stack (no recursion)."""

    def refused(template: str, **params: Any) -> yaml.MarkedYAMLError:
        message = msg(template, **params)
        error = yaml.composer.ComposerError(None, None, str(message), event.start_mark)
        error.lms_message = message  # told translated on pages
        return error

    event = loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    stack: list[LineDict | list] = []  # the open collections
    keys: list[Any] = []  # for each, a mapping's key waiting for its value
    document = None
    constructors = loader.yaml_constructors
    if len(_SCALARS) > _SCALARS_KEPT:
        _SCALARS.clear()
    while True:
        event = loader.get_event()
        kind = type(event)
        if kind is yaml.DocumentEndEvent:
            break
        awaits_key = bool(stack) and type(stack[-1]) is LineDict and keys[-1] is _NO_KEY
        if kind is yaml.ScalarEvent:
            # Most scalars repeat (codes, modes, keys): each distinct one is resolved and built once.
            memo = (event.tag, event.value, event.implicit)
            value = _SCALARS.get(memo, _NO_KEY)
            if value is _NO_KEY:
                tag = event.tag
                if tag in (None, "!"):
                    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                construct = constructors.get(tag, constructors[None])  # None: refuses the tag
                value = construct(
                    loader, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                )
                if type(value) in _IMMUTABLE:
                    _SCALARS[memo] = value
        elif kind in _TAGS:
            if awaits_key:
                raise refused(N_("a key must be a plain word or number"))
            if event.tag not in (None, "!", _TAGS[kind]):
                raise refused(N_("tags such as {tag} are not allowed in these files"), tag=event.tag)
            if len(stack) >= MAX_DEPTH:
                raise refused(N_("nested more than {depth} levels deep"), depth=MAX_DEPTH)
            if kind is yaml.MappingStartEvent:
                mapping = LineDict()
                mapping.line, mapping.key_lines = event.start_mark.line + 1, {}
                stack.append(mapping)
            else:
                stack.append([])
            keys.append(_NO_KEY)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, _key, awaits_key = stack.pop(), keys.pop(), False  # a collection is never a key
        else:  # an alias
            raise refused(N_("aliases (*name) are not allowed in these files"))
        if awaits_key:
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                raise refused(N_("a key must be a plain word or number"))
            if value in stack[-1]:
                raise refused(N_("duplicate key {key!r}"), key=value)
            stack[-1].key_lines[value], keys[-1] = event.start_mark.line + 1, value
        elif not stack:
            document = value
        elif type(stack[-1]) is list:
            stack[-1].append(value)
        else:
            stack[-1][keys[-1]], keys[-1] = value, _NO_KEY
    if not loader.check_event(yaml.StreamEndEvent):
        mark = loader.peek_event().start_mark
        raise yaml.composer.ComposerError("expected a single document", None, "but found another document", mark)
    return document
