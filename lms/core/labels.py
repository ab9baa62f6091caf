"""Turning an area's table of enumeration labels into a template helper (each area owns its labels)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum


def labeller(table: Mapping[Enum, object]) -> Callable[[Enum | str | None], str]:
    """``label(value)``: the translated name of an enumeration member or of its stored value;
    an unknown value is shown as it is, ``None`` as nothing."""
    enum_cls = type(next(iter(table)))

    def label(value: Enum | str | None) -> str:
        if value is None:
            return ""
        try:
            return str(table[enum_cls(value)])
        except ValueError:
            return str(value)

    return label
