"""The file-only commands on the real Cnam Paris catalogue, one process per call as a script runs them.

    .venv/bin/python bench/cli.py [--calls N]

Prints p50/p95 per call of ``lms audit`` and ``lms rank`` (catalogue cached after the first call,
and with the cache off), each with its ratio to ``python -c pass`` measured in the same run, and
the bar (<= 150 ms a call) with PASS/FAIL.
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


def timed(command: list[str], calls: int, env: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
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
        catalogue = ["--catalog", str(PARIS), str(PARIS / "programs")]
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
            (
                "lms audit (no cache)",
                [str(LMS), "audit", *catalogue, "--transcript", str(record), "--program", "CPN7400A"],
                uncached,
            ),
        ]
        print(f"python -c pass: p50 {floor:.0f} ms; {args.calls} calls per case; bar {BAR_MS} ms a call")
        for name, command, env in cases:
            timed(command, 1, env)  # fills the cache
            samples = timed(command, args.calls, env)
            p50 = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
            verdict = "PASS" if p95 <= BAR_MS else "FAIL"
            print(f"{name:<32} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  ratio to python {p50 / floor:5.1f}x  {verdict}")


if __name__ == "__main__":
    main()
