"""Placing a set of units on their offerings by a term, the pace as each term's capacity, and the
budget of steps the whole search may spend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import NamedTuple

from lms.progress.audit.planner.completion import Completes
from lms.progress.audit.planner.plans import Slot


class SlotOption(NamedTuple):
    """An acceptable offering of a unit, as the scheduler sees it."""

    slot: Slot
    terms: tuple[int, ...]  # the terms it is taught in, as indexes from the plan's start
    load: Fraction  # the place it takes in each of those terms' pace


class Scheduler:
    """Exact: can these units be placed on their options by term ``last`` with the pace as capacity?"""

    def __init__(
        self, options: Mapping[str, list[SlotOption]], pace: Fraction, reserved: Mapping[int, Fraction] | None = None
    ):
        self.options = options  # unit -> its options, earliest first
        self.pace = pace
        self.reserved = {term: load for term, load in (reserved or {}).items() if load}  # pace already taken
        self.steps = 0
        self.budget: Budget | None = None

    def schedule(self, codes: Iterable[str], last: int) -> dict[str, Slot] | None:
        """An offering for each unit, or None when they do not fit (a backtracking search, the
        units with the fewest options first, failed partial loads remembered)."""
        order = sorted(codes, key=lambda code: (sum(1 for o in self.options[code] if o.terms[-1] <= last), code))
        loads: dict[int, Fraction] = dict(self.reserved)
        chosen: dict[str, Slot] = {}
        failed: set[tuple[int, tuple]] = set()

        def place(i: int) -> bool:
            if i == len(order):
                return True
            state = (i, tuple(sorted(loads.items())))
            if state in failed:
                return False
            self.steps += 1
            if self.budget is not None:
                self.budget.check()
            code = order[i]
            for slot, terms, load in self.options[code]:
                if terms[-1] > last:
                    break
                if any(loads.get(t, 0) + load > self.pace for t in terms):
                    continue
                for t in terms:
                    loads[t] = loads.get(t, 0) + load
                chosen[code] = slot
                if place(i + 1):
                    return True
                for t in terms:
                    loads[t] -= load
                    if not loads[t]:
                        del loads[t]
                del chosen[code]
            failed.add(state)
            return False

        return dict(chosen) if place(0) else None


class BudgetExceeded(Exception):
    pass


class Budget:
    """Steps (audits and scheduler nodes) the whole search may spend."""

    def __init__(self, completes: Completes, scheduler: Scheduler, steps: int):
        self.completes, self.scheduler = completes, scheduler
        self.limit = steps
        scheduler.budget = self

    @property
    def spent(self) -> int:
        return self.completes.calls + self.scheduler.steps

    @property
    def left(self) -> bool:
        return self.spent <= self.limit

    def check(self) -> None:
        if not self.left:
            raise BudgetExceeded
