"""Demo data: the real Cnam catalogue and a deterministic cohort with multi-year histories.

The same seed always gives the same learners, grades and dates, so screenshots, tests and
benchmarks can rely on them. It sits above every area (it writes each one's rows), one module per
area's data; :func:`load_demo` runs them in one transaction: a failure loads nothing.
"""

from lms.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.demo.catalogue import CATALOG_DIR
from lms.demo.context import DemoSettings, DemoSummary
from lms.demo.generator import load_demo

__all__ = ["CATALOG_DIR", "DEMO_ACCOUNTS", "DEMO_PASSWORD", "DemoSettings", "DemoSummary", "load_demo"]
