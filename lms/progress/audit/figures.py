"""A programme's figures people can reconcile, read off a stored audit result (formats.md section 3).

The audit's ``earned_ects`` sums every validated unit applied in the tree, extra options included,
and its ``missing_ects`` is the cheapest completion: neither is the programme's nominal total, so
"95 validated, 54 still to validate" next to "180 ECTS" does not add up. :func:`figures_of` separates
what each number is:

- ``nominal``: the programme's official total, shown as such;
- ``validated``: validated ECTS that count toward it (a group met with more options than it asks
  for counts the cheapest set of them that meets its rule);
- ``in_progress``: ECTS of registered units that would count toward it;
- ``to_validate``: the least ECTS still to validate (registered units included), ``None`` when the
  programme cannot be completed;
- ``surplus``: validated ECTS held beyond what the programme needs (extra options, and units that
  count nowhere here): they may count toward another programme.

No Flask, no database: the callers pass the ECTS of the units the audit lists as ``unused``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


@dataclass(frozen=True)
class Figures:
    status: str
    nominal: Decimal
    validated: Decimal
    in_progress: Decimal
    to_validate: Decimal | None
    surplus: Decimal
    elsewhere: tuple[str, ...]  # validated units applied nowhere in this programme

    @property
    def completable(self) -> bool:
        return self.to_validate is not None

    @property
    def beyond_in_progress(self) -> Decimal:
        """What is still to validate besides the units being taken (the bar's last segment)."""
        if self.to_validate is None:
            return max(self.nominal - self.validated - self.in_progress, ZERO)
        return max(self.to_validate - self.in_progress, ZERO)

    @property
    def path_total(self) -> Decimal:
        """Validated + still to validate: where the cheapest completion ends, the bar's length."""
        return self.validated + self.in_progress + self.beyond_in_progress

    @property
    def differs(self) -> bool:
        """The validated and still-to-validate figures do not add up to the nominal total."""
        return self.to_validate is not None and self.validated + self.to_validate != self.nominal

    @property
    def zero_ects_left(self) -> bool:
        """Not complete, yet nothing left in ECTS: units of 0 ECTS (a UA, typically) are missing."""
        return self.status != "complete" and self.to_validate == ZERO

    def share(self, part: str) -> float:
        """Percentage of the bar's length for ``validated``, ``in_progress`` or ``beyond_in_progress``."""
        total = self.path_total
        if total <= 0:
            return 100.0 if part == "validated" and self.status == "complete" else 0.0
        return round(float(getattr(self, part) / total * 100), 1)


def figures_of(result: Mapping[str, Any], nominal: Any = None, unit_ects: Mapping[str, Any] | None = None) -> Figures:
    """The figures of one audit ``result``; ``nominal`` overrides the result's ``nominal_ects``;
    ``unit_ects`` gives the ECTS of units the audit lists as ``unused`` (unknown ones count 0)."""
    unit_ects = unit_ects or {}
    tree = result["requirements"]
    validated, in_progress = _counted(tree)
    unused = tuple(result.get("unused") or ())
    surplus = _decimal(tree.get("earned_ects")) - validated + sum((_decimal(unit_ects.get(c)) for c in unused), ZERO)
    missing = result.get("missing_ects")
    return Figures(
        status=result.get("status", "incomplete"),
        nominal=_decimal(nominal if nominal is not None else result.get("nominal_ects")),
        validated=validated,
        in_progress=in_progress,
        to_validate=None if missing is None else _decimal(missing),
        surplus=max(surplus, ZERO),
        elsewhere=unused,
    )


def counted_ects(result: Mapping[str, Any]) -> Decimal:
    """The validated ECTS of ``result`` that count toward its programme (stored with each audit,
    so reports read the same figure as the learner's page)."""
    return _counted(result["requirements"])[0]


def _counted(node: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """(validated, in progress) ECTS of ``node`` that count toward it."""
    if not node.get("earned_ects") and not node.get("in_progress_ects"):
        # A node's figures are the sums of its children's: nothing below it is done or under way.
        return ZERO, ZERO
    if node["kind"] == "unit":
        return _decimal(node.get("earned_ects")), _decimal(node.get("in_progress_ects"))
    rows = [(child, *_counted(child)) for child in node.get("children", ())]
    if node["kind"] == "all":
        return sum((v for _c, v, _p in rows), ZERO), sum((p for _c, _v, p in rows), ZERO)
    choose = int(node.get("choose") or 0)
    credits = _decimal(node.get("credits"))
    if node.get("status") == "met":
        met = [(v, ZERO, _decimal(c.get("earned_ects"))) for c, v, _p in rows if c.get("status") == "met"]
        chosen = _cheapest(met, choose, credits)
        return sum((v for v, _p, _w in chosen), ZERO), ZERO
    if node.get("status") == "in_progress":
        usable = [
            (v, p, _decimal(c.get("earned_ects")) + _decimal(c.get("in_progress_ects")))
            for c, v, p in rows
            if c.get("status") in ("met", "in_progress")
        ]
        chosen = _cheapest(usable, choose, credits)
        return sum((v for v, _p, _w in chosen), ZERO), sum((p for _v, p, _w in chosen), ZERO)
    # Not met yet: everything done counts toward it, but no more options than it asks for.
    started = sorted(((v, p) for _c, v, p in rows if v or p), key=lambda vp: vp[0] + vp[1], reverse=True)
    if choose and not node.get("credits"):
        started = started[:choose]
    return sum((v for v, _p in started), ZERO), sum((p for _v, p in started), ZERO)


Row = tuple[Decimal, Decimal, Decimal]  # (validated, in progress, worth for the group's rule)


def _cheapest(rows: Sequence[Row], choose: int, credits: Decimal) -> tuple[Row, ...]:
    """The subset of ``rows`` meeting "at least ``choose`` of them, worth at least ``credits``"
    that uses the fewest in-progress ECTS, then the fewest validated ECTS (dynamic programming
    over (count reached, worth reached), both capped at what the rule asks)."""
    best: dict[tuple[int, Decimal], tuple[Decimal, Decimal, tuple[Row, ...]]] = {(0, ZERO): (ZERO, ZERO, ())}
    for row in rows:
        validated, in_progress, worth = row
        for (count, reached), (cost_p, cost_v, chosen) in list(best.items()):
            key = (min(count + 1, choose), min(reached + worth, credits))
            candidate = (cost_p + in_progress, cost_v + validated, (*chosen, row))
            if key not in best or candidate[:2] < best[key][:2]:
                best[key] = candidate
    goal = best.get((choose, credits))
    return goal[2] if goal else tuple(rows)


__all__ = ["Figures", "figures_of"]
