"""Writing a :class:`~lms.progress.audit.catalogue.Catalog` as catalogue files (formats.md sections 1 and 5).

Pure Python, the loader's counterpart: ``read_catalog`` reads back what :func:`catalog_texts`
writes. Files: ``units.yaml``, ``equivalences.yaml`` (when there are any), one ``<CODE>.yaml`` per
programme with all its versions, ``offerings.yaml``. Units, equivalences and
offerings are one flow mapping a line; requirement trees are block YAML with leaves as plain codes,
lists of leaves on one line and labels first, as people write them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lms.progress.audit.catalogue import Catalog, ProgramDef

NODE_KEY_ORDER = ("label", "choose", "credits", "all", "of", "compensation")


class _FlowList(list):
    """A list written on one line: ``[NFA031, NFA032]``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # indent block sequences under their key, as the hand-written files do
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)
_Dumper.add_representer(Decimal, lambda dumper, data: dumper.represent_data(_number(data)))


def _number(value: Decimal | int | float) -> int | float:
    """6.0 → 6, 4.5 → 4.5: as people write ECTS and grades."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _flow(mapping: dict[str, Any]) -> str:
    return yaml.dump(
        mapping, Dumper=_Dumper, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1_000_000
    ).strip()


def _block(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True, width=1_000_000
    )


def _lines(key: str, mappings: list[dict[str, Any]]) -> str:
    return f"{key}:\n" + "".join(f"  - {_flow(m)}\n" for m in mappings)


def readable_tree(node: dict[str, Any]) -> Any:
    """A normal-form tree as people write it: leaves as codes, lists of leaves on one line."""
    if "unit" in node:
        return node["unit"]
    out: dict[str, Any] = {}
    for key in NODE_KEY_ORDER:
        if key not in node:
            continue
        value = node[key]
        if key in ("all", "of"):
            children = [readable_tree(child) for child in value]
            value = _FlowList(children) if all(isinstance(c, str) for c in children) else children
        elif key == "compensation":
            value = {k: _number(v) if isinstance(v, (int, float, Decimal)) else v for k, v in value.items()}
        elif key == "credits":
            value = _number(value)
        out[key] = value
    return out


def program_document(program: ProgramDef) -> dict[str, Any]:
    """One programme version as a catalogue file writes it (formats.md section 1)."""
    out: dict[str, Any] = {
        "code": program.code,
        "version": program.version,
        "title": program.title,
        "kind": program.kind,
    }
    if program.level is not None:
        out["level"] = program.level
    if program.entry_level is not None:
        out["entry_level"] = program.entry_level
    out["ects"] = _number(program.ects)
    if Decimal(program.pass_mark) != 10:
        out["pass_mark"] = _number(program.pass_mark)
    if program.validity_years is not None:
        out["validity_years"] = program.validity_years
    out["requirements"] = readable_tree(program.requirements)
    return out


def catalog_texts(catalog: Catalog, header: str = "") -> dict[str, str]:
    """File name → YAML text of each file of the exported catalogue."""
    top = "".join(f"# {line}\n" for line in header.splitlines())
    files: dict[str, str] = {}
    units = []
    for unit in sorted(catalog.units.values(), key=lambda u: u.code):
        mapping: dict[str, Any] = {
            "code": unit.code,
            "title": unit.title,
            "ects": _number(unit.ects),
            "kind": unit.kind,
        }
        if unit.level is not None:
            mapping["level"] = unit.level
        units.append(mapping)
    files["units.yaml"] = top + _lines("units", units)
    if catalog.equivalences:
        rules = [{"units": _FlowList(e.units), "counts_as": e.counts_as} for e in catalog.equivalences]
        files["equivalences.yaml"] = top + _lines("equivalences", rules)
    by_code: dict[str, list[ProgramDef]] = defaultdict(list)
    for (code, _version), program in sorted(catalog.programs.items()):
        by_code[code].append(program)
    for code, programs in by_code.items():
        files[f"{code}.yaml"] = top + _block({"programs": [program_document(p) for p in programs]})
    offerings = []
    for o in catalog.offerings:
        mapping = {"unit": o.unit, "year": o.year, "semester": o.semester, "modality": o.modality, "centre": o.centre}
        if o.capacity is not None:
            mapping["capacity"] = o.capacity
        offerings.append(mapping)
    files["offerings.yaml"] = top + (_lines("offerings", offerings) if offerings else "offerings: []\n")
    return files


def catalog_file_names(catalog: Catalog) -> set[str]:
    """The names of the files :func:`catalog_texts` writes for ``catalog``."""
    names = {"units.yaml", "offerings.yaml"} | {f"{code}.yaml" for code, _version in catalog.programs}
    if catalog.equivalences:
        names.add("equivalences.yaml")
    return names


def write_catalog(catalog: Catalog, directory: str | Path, header: str = "") -> list[Path]:
    """Write the catalogue files into ``directory`` (created if needed); the paths written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in catalog_texts(catalog, header).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
