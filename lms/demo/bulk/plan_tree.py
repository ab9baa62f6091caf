"""A set of units completing a programme's requirement tree (formats.md section 1), drawn at
random among the options: what one learner's path through the programme will be."""

from __future__ import annotations

import random
from typing import Any

from lms.demo.bulk.source import UnitInfo


def plan_units(node: dict[str, Any], units: dict[str, UnitInfo], rng: random.Random) -> tuple[list[str], bool]:
    """Units completing ``node``, each used once, and whether they complete it (a free slot is
    met only by a director's exception: a tree needing one is planned as far as units go)."""
    chosen: list[str] = []
    done = _plan(node, units, rng, chosen)
    return chosen, done


def _plan(node: dict[str, Any], units: dict[str, UnitInfo], rng: random.Random, chosen: list[str]) -> bool:
    if "unit" in node:
        code = node["unit"]
        if code in chosen or code not in units:
            return False
        chosen.append(code)
        return True
    if "slot" in node:
        return False
    if "all" in node:
        return all([_plan(child, units, rng, chosen) for child in node["all"]])
    need_count, need_credits = node.get("choose") or 0, float(node.get("credits") or 0)
    children = list(node["of"])
    rng.shuffle(children)
    count, credits = 0, 0.0
    for child in children:
        if count >= need_count and credits >= need_credits:
            break
        attempt = list(chosen)
        if _plan(child, units, rng, attempt):
            credits += sum(units[code].ects for code in attempt[len(chosen) :])
            chosen[:] = attempt
            count += 1
    return count >= need_count and credits >= need_credits
