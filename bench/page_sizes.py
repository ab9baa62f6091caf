"""Benchmark: each page's own time on a given database, one client, no server (issue 13 §3).

    .venv/bin/python bench/page_sizes.py --database-url sqlite:////tmp/bench20k/lms.sqlite3 [--repeat 5]

Logs the demo accounts in (their password is the demo's, also on a bulk set of
``lms demo --learners N --centres C``) and times each page through the Flask test client: the median
of ``--repeat`` requests after a warm-up, and its ratio to ``/healthz`` in the same run. Run it on a
200-learner demo and on a large set: a page whose time grows with the data is a query that reads
more than it shows. ``bench/pages.py`` measures the concurrent bars through gunicorn.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.app import create_app  # noqa: E402
from lms.demo import DEMO_PASSWORD  # noqa: E402

PAGES = {
    "apprenant@example.org": ["/", "/me/", "/me/programmes/LG02501A", "/me/timeline", "/me/credentials"],
    "enseignant@example.org": ["/"],
    "admin@example.org": [
        "/",
        "/admin/timetable/offerings",
        "/admin/accounts/?q=dupont",
        "/learners/?q=dupont",
        "/admin/intakes/",
        "/awards",
        "/reports/validation",
        "/reports/cohorts",
        "/reports/dropouts",
        "/reports/intakes",
        "/reports/time-to-diploma",
    ],
}


def timed(client, path: str, repeat: int) -> tuple[int, float]:
    status = client.get(path).status_code  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return status, statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = {
        "SQLALCHEMY_DATABASE_URI": args.database_url,
        "SECRET_KEY": "bench",
        "TASKS_IMMEDIATE": True,
        "MAIL_FOLDER": None,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    app = create_app("default", settings)
    _status, trivial = timed(app.test_client(), "/healthz", args.repeat)
    print(f"/healthz: {trivial:.1f} ms")
    for email, paths in PAGES.items():
        client = app.test_client()
        login = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        if login.status_code != 302:
            print(f"{email}: cannot log in ({login.status_code})")
            continue
        for path in paths:
            status, median = timed(client, path, args.repeat)
            note = "" if status == 200 else f"  (status {status})"
            print(f"{email.split('@')[0]:11s} {path:32s} {median:8.1f} ms  {median / trivial:6.0f}× /healthz{note}")


if __name__ == "__main__":
    main()
