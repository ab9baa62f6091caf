"""A national-size data set (issue 13 section 2): regional centres, their tutors and offerings,
and up to hundreds of thousands of learners with multi-year histories over the whole catalogue,
inserted in bulk (SQLite executemany, PostgreSQL COPY) after the ordinary demo.

- :mod:`.source` reads what the demo left (catalogue, directors, the next ids);
- :mod:`.places` and :mod:`.plan` generate rows, deterministically, without the database;
- :mod:`.writer` writes them, one writer per engine;
- :mod:`.load` runs the phases, with progress bars.

The stored audits of the generated learners are not computed here: ``lms progress refresh`` does
it (the ORM re-audit of every learner)."""

from lms.demo.bulk.load import BulkSummary, load_bulk
from lms.demo.bulk.settings import BulkSettings

__all__ = ["BulkSettings", "BulkSummary", "load_bulk"]
