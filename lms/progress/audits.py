"""A learner's audits and ranking, fresh from the database, for the API and the command line:
exactly the JSON of formats.md section 3 (the pages read the same engine)."""

from __future__ import annotations

from datetime import date
from typing import Any

from lms.accounts.models import Learner
from lms.progress.audit import engine, ranking
from lms.progress.queries import catalogue_from_database, enrolled_version, learner_programmes
from lms.progress.records import learner_record


def learner_audit(
    learner: Learner, program_code: str, version: str | None = None, as_of: date | None = None
) -> dict[str, Any] | None:
    """The audit of ``learner`` on ``program_code``: on ``version``, else the version they are
    enrolled on, else the newest; None when there is no such programme or version."""
    catalog = catalogue_from_database()
    versions = sorted(v for code, v in catalog.programs if code == program_code)
    chosen = version or enrolled_version(learner, program_code) or (versions[-1] if versions else None)
    definition = catalog.programs.get((program_code, chosen)) if chosen else None
    if definition is None:
        return None
    record = learner_record(learner, today=as_of)
    return engine.audit(definition, catalog.units, catalog.equivalences, record, as_of)


def learner_audits(learner: Learner, as_of: date | None = None) -> list[dict[str, Any]]:
    """The audits of every programme version ``learner`` is (or was) enrolled on, newest
    enrolment first, the record read once."""
    catalog = catalogue_from_database()
    record = learner_record(learner, today=as_of)
    audits = []
    for _enrolment, version, _snapshot in learner_programmes(learner):
        definition = catalog.programs.get((version.programme.code, version.version))
        if definition is not None:
            audits.append(engine.audit(definition, catalog.units, catalog.equivalences, record, as_of))
    return audits


def learner_ranking(learner: Learner, as_of: date | None = None) -> list[dict[str, Any]]:
    """``lms rank`` of the learner's record over the whole catalogue (formats.md section 3)."""
    catalog = catalogue_from_database()
    record = learner_record(learner, today=as_of)
    return ranking.rank_rows(catalog.programs.values(), catalog.units, catalog.equivalences, record, as_of)
