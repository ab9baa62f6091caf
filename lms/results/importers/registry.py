"""Collecting the importers every plugin contributes through ``lms_grade_importers()``."""

from __future__ import annotations

from typing import Any

from lms.plugins.contributions import GradeImporter, collect


def available_importers(pm: Any) -> list[GradeImporter]:
    """The importers of every registered plugin, in registration order (built-ins first).

    A plugin registered later may replace an importer by contributing one with the same ``name``
    (it keeps its place in the list): :func:`lms.plugins.contributions.collect`. An object missing
    part of the interface is refused loudly.
    """
    return collect(pm.hook.lms_grade_importers(), key=_checked_name)


def _checked_name(importer: Any) -> str:
    if not isinstance(importer, GradeImporter) or not isinstance(getattr(importer, "name", None), str):
        raise TypeError(f"{importer!r} is not a grade importer (name, label, accepts(), read())")
    return importer.name


def importer_named(pm: Any, name: str) -> GradeImporter | None:
    """The importer called ``name``, if any plugin contributes it."""
    return next((i for i in available_importers(pm) if i.name == name), None)


def importers_for(pm: Any, filename: str) -> list[GradeImporter]:
    """The importers able to read a file called ``filename``."""
    return [i for i in available_importers(pm) if i.accepts(filename)]
