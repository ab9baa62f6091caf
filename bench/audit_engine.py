"""Benchmark of the audit engine (issue 3, section 6), on one core, in memory.

    .venv/bin/python bench/audit_engine.py [--repeat N] [--learners N]

Prints p50/p95 per audit for (a) MR12202A with a full record, (b) LG02501A with a record crafted
to force the most search, (c) a synthetic worst case of 40 leaves in heavily overlapping choose
groups, then (d) the throughput of auditing generated learners, and (e) every programme of the real Cnam
Paris catalogue (355) with a record crafted like (b) for it: the slowest programme's p95 against
the bar (p95 <= 5 ms). Each figure comes with a ratio to a
baseline measured in the same run: a plain walk of the same tree that counts the learner's
validated leaves without allocating anything (the floor any audit pays).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.demo import CATALOG_DIR  # noqa: E402
from lms.demo.catalogue import PARIS_DIR  # noqa: E402
from lms.progress.audit.catalogue import ProgramDef, UnitDef, read_catalog  # noqa: E402
from lms.progress.audit.engine import audit  # noqa: E402
from lms.progress.audit.records import CreditEntry, LearnerRecord, ResultEntry  # noqa: E402
from lms.progress.audit.requirements import normalise, unit_codes  # noqa: E402

AS_OF = date(2026, 6, 30)


def baseline(program: ProgramDef, record: LearnerRecord) -> int:
    """Walk the tree and count leaves whose unit has a passing grade: no allocation at all."""
    passed = {r.unit for r in record.results if r.grade is not None and r.grade >= 10 or r.status == "validated"}
    return sum(1 for code in unit_codes(program.requirements) if code in passed)


def timings(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def report(name: str, program: ProgramDef, units, equivalences, record: LearnerRecord, repeat: int) -> None:
    audit(program, units, equivalences, record, AS_OF)  # warm the programme cache
    engine = timings(lambda: audit(program, units, equivalences, record, AS_OF), repeat)
    floor = timings(lambda: baseline(program, record), repeat)
    result = audit(program, units, equivalences, record, AS_OF)
    p50, p95 = percentile(engine, 50), percentile(engine, 95)
    b50 = percentile(floor, 50)
    print(
        f"{name:<44} p50 {p50:7.3f} ms  p95 {p95:7.3f} ms  baseline p50 {b50:6.3f} ms  "
        f"ratio {p50 / b50:6.1f}x  [{result['status']}, missing {result['missing_ects']}]"
    )


def results(codes, grade=Decimal(12), day=date(2024, 6, 1)) -> tuple[ResultEntry, ...]:
    return tuple(ResultEntry(code, grade, None, day, 1) for code in codes)


def full_master(catalog) -> tuple[ProgramDef, LearnerRecord]:
    program = next(p for (code, _), p in catalog.programs.items() if code == "MR12202A")
    codes = [c for c in unit_codes(program.requirements) if not c.startswith("UA")]
    record = LearnerRecord(
        "bench-a",
        AS_OF,
        results(codes)
        + (
            ResultEntry("UAIP1M", None, "validated", date(2024, 9, 1)),
            ResultEntry("UAIP10", None, "validated", date(2025, 9, 1)),
        ),
    )
    return program, record


def hardest_licence(catalog) -> tuple[ProgramDef, LearnerRecord]:
    """Units of every L2 branch, of the 'hors parcours' list and of every L3 domain, some of them
    registered or failed, so that every choice has several candidates."""
    program = next(p for (code, _), p in catalog.programs.items() if code == "LG02501A")
    return program, searching_record(program)


def searching_record(program: ProgramDef) -> LearnerRecord:
    """Four units in five of the tree validated, the fifth registered, two failed and a VAE credit:
    every choice has several candidates."""
    codes = list(dict.fromkeys(unit_codes(program.requirements)))
    validated = [c for i, c in enumerate(codes) if i % 5 != 4 and not c.startswith("UA")]
    registered = [c for i, c in enumerate(codes) if i % 5 == 4]
    failed = codes[1:3]
    return LearnerRecord(
        "bench-b",
        AS_OF,
        results(validated)
        + tuple(ResultEntry(c, None, "registered") for c in registered)
        + results(
            ["NFA013", "NFA011"] if program.code == "LG02501A" else failed, grade=Decimal(8), day=date(2023, 1, 20)
        ),
        credits=(CreditEntry("NFA008" if program.code == "LG02501A" else codes[0], "vae", None, date(2022, 6, 1)),),
    )


def every_paris_programme(repeat: int) -> None:
    """(e) every real programme, each with :func:`searching_record` and with an empty record."""
    paris = read_catalog([PARIS_DIR, PARIS_DIR / "programs"])
    units, equivalences = paris.units, paris.equivalences
    rows = []
    for program in paris.programs.values():
        for name, record in (("searching", searching_record(program)), ("empty", LearnerRecord("bench-e", AS_OF))):
            audit(program, units, equivalences, record, AS_OF)
            samples = timings(lambda p=program, r=record: audit(p, units, equivalences, r, AS_OF), repeat)
            floor = timings(lambda p=program, r=record: baseline(p, r), repeat)
            rows.append((percentile(samples, 95), percentile(samples, 50), percentile(floor, 50), program.code, name))
    rows.sort(reverse=True)
    every = [row[0] for row in rows]
    print(f"(e) {len(paris.programs)} Paris programmes x 2 records, {repeat} runs each: slowest first")
    for p95, p50, b50, code, name in rows[:5]:
        print(
            f"    {code:<10} {name:<9} p50 {p50:7.3f} ms  p95 {p95:7.3f} ms  baseline p50 {b50:6.3f} ms  ratio {p50 / b50:6.1f}x"
        )
    verdict = "PASS" if every[0] <= 5 else "FAIL"
    print(
        f"    slowest p95 {every[0]:.3f} ms ({rows[0][3]}, {rows[0][4]}), median of the p95s {statistics.median(every):.3f} ms: bar p95 <= 5 ms {verdict}"
    )


def synthetic_worst(seed: int = 7) -> tuple[ProgramDef, dict[str, UnitDef], LearnerRecord]:
    """40 leaves: five 'choose 3 of 8' groups drawn from one pool of 16 units, so every unit is
    listed in two or three groups, under a credits threshold; half of the pool validated."""
    rng = random.Random(seed)
    pool = [f"SYN{i:03d}" for i in range(16)]
    units = {code: UnitDef(code, code, Decimal(rng.choice((3, 4, 6))), "UE", None) for code in pool}
    groups = [{"choose": 3, "of": rng.sample(pool, 8)} for _ in range(5)]
    tree = normalise({"label": "Synthetic", "credits": 60, "of": groups})
    program = ProgramDef("SYN01", "1", "Synthetic", "master", None, None, Decimal(60), Decimal(10), None, tree)
    record = LearnerRecord(
        "bench-c", AS_OF, results(pool[::2]) + tuple(ResultEntry(c, None, "registered") for c in pool[1:6:2])
    )
    return program, units, record


def generated_learners(catalog, count: int, seed: int = 2026) -> list[tuple[ProgramDef, LearnerRecord]]:
    """Learners of every programme, as in the demo cohort: a share of their programme's units taken,
    most passed, some failed or registered, a few credits, and a few units from elsewhere."""
    rng = random.Random(seed)
    programs = list(catalog.programs.values())
    weights = {"LG02501A": 35, "MR12202A": 20, "CYC9106A": 15, "CPN0400A": 15, "CC0400A": 10, "CS6800A": 5}
    all_units = sorted(catalog.units)
    population = []
    for n in range(count):
        program = rng.choices(programs, [weights.get(p.code, 1) for p in programs])[0]
        codes = list(dict.fromkeys(unit_codes(program.requirements)))
        taken = rng.sample(codes, rng.randint(0, len(codes)))
        entries = []
        for code in taken:
            roll = rng.random()
            if roll < 0.08:
                entries.append(ResultEntry(code, None, "registered"))
            elif code.startswith("UA"):
                entries.append(ResultEntry(code, None, "validated", date(2025, 9, 1)))
            else:
                grade = Decimal(rng.randint(0, 40)) / 2 if roll < 0.25 else Decimal(rng.randint(20, 40)) / 2
                entries.append(ResultEntry(code, grade, None, date(2019 + rng.randint(0, 6), 6, 1), 1))
        entries += [ResultEntry(code, Decimal(12), None, date(2024, 6, 1), 1) for code in rng.sample(all_units, 2)]
        credits = (
            tuple(CreditEntry(code, "vae", None, date(2022, 1, 1)) for code in rng.sample(codes, 1))
            if rng.random() < 0.1
            else ()
        )
        population.append((program, LearnerRecord(f"L{n}", AS_OF, tuple(entries), credits)))
    return population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--learners", type=int, default=10000)
    parser.add_argument("--paris-repeat", type=int, default=50, help="runs per Paris programme and record in (e)")
    args = parser.parse_args()
    catalog = read_catalog([CATALOG_DIR])
    units, equivalences = catalog.units, catalog.equivalences
    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}; "
        f"{args.repeat} runs per case"
    )

    program, record = full_master(catalog)
    report("(a) MR12202A, full record", program, units, equivalences, record, args.repeat)
    program, record = hardest_licence(catalog)
    report("(b) LG02501A, record forcing the most search", program, units, equivalences, record, args.repeat)
    program, syn_units, record = synthetic_worst()
    report("(c) synthetic, 40 overlapping leaves", program, syn_units, (), record, max(args.repeat // 200, 5))

    population = generated_learners(catalog, args.learners)
    for program in catalog.programs.values():
        audit(program, units, equivalences, LearnerRecord("warm", AS_OF), AS_OF)
    start = time.perf_counter()
    statuses: dict[str, int] = {}
    for program, record in population:
        status = audit(program, units, equivalences, record, AS_OF)["status"]
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    for program, record in population:
        baseline(program, record)
    floor = time.perf_counter() - start
    print(
        f"(d) {len(population)} generated learners: {len(population) / elapsed:,.0f} audits/s "
        f"({elapsed:.2f} s; baseline walk {len(population) / floor:,.0f}/s, ratio {elapsed / floor:.1f}x) {statuses}"
    )
    every_paris_programme(args.paris_repeat)


if __name__ == "__main__":
    main()
