"""The catalogue as the audit reads it (formats.md sections 1 and 5): plain frozen dataclasses, and
walks over a requirement tree in normal form. No pydantic, no Flask, no database: the cached
catalogue of the file-only commands unpickles from here without building the readers' models
(:mod:`.catalogue` reads and checks the files; it re-exports these names)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

UNIT_CODE = re.compile(r"^[A-Z0-9]{3,12}$")
PROGRAM_KINDS = tuple(
    "licence licence_pro master ingenieur titre_rncp deust certificat_competence certificat_specialisation"
    " certificat_professionnel micro_certification diplome_etablissement doctorat".split()
)
MODALITIES = tuple(
    "presentiel_jour presentiel_soir hybride_jour hybride_soir foad distance_planifiee_jour distance_planifiee_soir".split()
)
DEFAULT_MARK = Decimal(10)


@dataclass(frozen=True)
class UnitDef:
    code: str
    title: str
    ects: Decimal
    kind: str
    level: str | None


@dataclass(frozen=True)
class EquivalenceDef:
    units: tuple[str, ...]
    counts_as: str


@dataclass(frozen=True)
class ProgramDef:
    code: str
    version: str
    title: str
    kind: str
    level: int | None
    entry_level: int | None
    ects: Decimal
    pass_mark: Decimal
    validity_years: int | None
    requirements: dict[str, Any]

    @cached_property
    def slots(self) -> dict[str, Decimal]:
        """The free slots of the tree (formats.md section 1), code -> ECTS: what an exception's
        ``for`` may name besides the tree's units."""
        return {code: Decimal(str(leaf["ects"])) for code, leaf in tree_slots(self.requirements).items()}

    @cached_property
    def tree_units(self) -> frozenset[str]:
        """The unit codes of the tree (the cached catalogue keeps them: :mod:`.catalogue_cache`)."""
        return frozenset(unit_codes(self.requirements))


@dataclass(frozen=True)
class OfferingDef:
    unit: str
    year: int
    semester: str
    modality: str
    centre: str
    capacity: int | None


@dataclass
class Catalog:
    units: dict[str, UnitDef] = field(default_factory=dict)
    equivalences: list[EquivalenceDef] = field(default_factory=list)
    programs: dict[tuple[str, str], ProgramDef] = field(default_factory=dict)
    offerings: list[OfferingDef] = field(default_factory=list)
    # Where each unit and (programme, version) was read, as "FILE:LINE" (not part of equality).
    unit_origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    program_origins: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)


def catalog_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the ``*.yaml``/``*.yml`` files of folders named, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
        else:
            files.append(path)
    return files


# --- walks over a tree in normal form ------------------------------------------------------------


def slot_leaves(node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict]]:
    """``(path, leaf)`` of each free slot of the tree, in order of appearance."""
    if "slot" in node:
        yield path, node
        return
    key = "all" if "all" in node else "of"
    for i, child in enumerate(node.get(key, ())):
        yield from slot_leaves(child, (*path, key, i))


def unit_codes(node: dict[str, Any]) -> Iterator[str]:
    """Every unit code named by a tree in normal form, in order of appearance (slots are no units)."""
    if "unit" in node:
        yield node["unit"]
        return
    for child in node.get("all", node.get("of", [])):
        yield from unit_codes(child)


def tree_slots(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The free slots of a tree in normal form, by code, in order of appearance."""
    return {leaf["slot"]: leaf for _path, leaf in slot_leaves(node, ())}
