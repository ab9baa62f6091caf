"""The file-only commands on the real Cnam Paris catalogue, one process per call as a script runs them.

    .venv/bin/python bench/cli.py [--calls N]

Prints p50/p95 per call of ``lms audit``, ``lms rank`` and ``lms plan`` (catalogue cached after
the first call; ``lms audit`` with the cache off too), each with its ratio to ``python -c pass``
measured in the same run, and the bar (p95 <= 150 ms a call) with PASS/FAIL. ``lms plan`` plans the
rest of a master half done (MR12202A, 2 units a term, evening and distance modes: the case of
tests/progress/test_planner.py), from 2026-S2; the same master from scratch, where the search stops
at its budget, is timed too (no bar: the planner's search, not the command, sets its time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LMS = ROOT / ".venv" / "bin" / "lms"
PARIS = ROOT / "lms" / "catalog" / "paris"
BAR_MS = 150
HALF_MASTER = "PRS201 PRS202 GDN217 PRS219 MNP213 MNP214 PRS210 UAIP1M EME104 MSE147 GDN100".split()
EVENING_DISTANCE = "presentiel_soir hybride_soir distance_planifiee_soir foad distance_planifiee_jour".split()


def timed(command: list[str], calls: int, env: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "me.yaml"
        record.write_text(
            "learner: '1'\nas_of: 2026-06-30\nresults:\n  - {unit: NFA031, grade: 12, date: 2025-06-13}\n"
        )
        half = Path(folder) / "half.yaml"
        half.write_text(
            "learner: '100000W'\nas_of: 2026-11-22\nresults:\n"
            + "".join(f"  - {{unit: {code}, grade: 12, date: 2025-06-01, session: 1}}\n" for code in HALF_MASTER)
        )
        catalogue = ["--catalog", str(PARIS), str(PARIS / "programs")]
        plan = ["plan", *catalogue, "--transcript", str(half), "--program", "MR12202A", "--from", "2026-S2"]
        plan += ["--pace-units", "2", *(f"--modality={mode}" for mode in EVENING_DISTANCE)]
        # the same master for someone new: the search stops at its budget (optimal false)
        scratch = ["plan", *catalogue, "--transcript", str(record), "--program", "MR12202A", "--from", "2026-S1"]
        scratch += ["--pace-units", "2"]
        cached = {**os.environ, "LMS_CACHE_DIR": str(Path(folder) / "cache")}
        uncached = {**os.environ, "LMS_CACHE_DIR": ""}
        floor = statistics.median(timed([sys.executable, "-c", "pass"], args.calls, cached))
        cases = [
            (
                "lms audit (cached catalogue)",
                [str(LMS), "audit", *catalogue, "--transcript", str(record), "--program", "CPN7400A"],
                cached,
            ),
            ("lms rank (cached catalogue)", [str(LMS), "rank", *catalogue, "--transcript", str(record)], cached),
            ("lms plan (cached catalogue)", [str(LMS), *plan], cached),
            ("lms plan, master from scratch", [str(LMS), *scratch], cached),
            (
                "lms audit (no cache)",
                [str(LMS), "audit", *catalogue, "--transcript", str(record), "--program", "CPN7400A"],
                uncached,
            ),
        ]
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(f"python -c pass: p50 {floor:.0f} ms; {args.calls} calls per case; bar {BAR_MS} ms a call")
        for name, command, env in cases:
            timed(command, 1, env)  # fills the cache
            samples = timed(command, args.calls, env)
            p50 = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
            verdict = "PASS" if p95 <= BAR_MS else "FAIL"
            if env is uncached or "scratch" in name:
                verdict = "(no bar)"
            print(f"{name:<32} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  ratio to python {p50 / floor:5.1f}x  {verdict}")


if __name__ == "__main__":
    main()
