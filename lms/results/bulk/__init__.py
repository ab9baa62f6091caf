"""Bulk import of results from one CSV file (``lms results import``): all or nothing.

Two passes in one transaction. :mod:`~lms.results.bulk.checking` reads the file as a stream and
checks every row against the database, staging the good ones in a temporary table
(:mod:`~lms.results.bulk.staging`); any problem and nothing is written. Then
:mod:`~lms.results.bulk.writing` writes results and history with set-based statements and
re-audits the learners whose published results changed. :mod:`~lms.results.bulk.rows` is the
pure part: the columns and each row's own checks.
"""

from lms.results.bulk.checking import Check, check_file
from lms.results.bulk.rows import COLUMNS, OPTIONAL, REQUIRED
from lms.results.bulk.writing import ChangedMeanwhile, reaudit, write

__all__ = ["COLUMNS", "OPTIONAL", "REQUIRED", "ChangedMeanwhile", "Check", "check_file", "reaudit", "write"]
