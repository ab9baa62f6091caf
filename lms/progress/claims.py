"""Certificates a learner can claim: after each re-audit, the newest version of every certificate
(``certificat_*`` kinds) is audited for the learners concerned; one that is complete, and was not
already, is remembered (:class:`~lms.progress.models.CredentialClaim`) and the learner is told once
("You can claim CS6800A"). Flushes, never commits.

Cost: the certificates a learner already claimed are skipped, and so is every certificate for which
the learner holds fewer units that can be validated there than its tree needs
(:class:`lms.progress.audit.ranking.CompletionFilter`, built once per catalogue), so most learners
cost a look-up per unit held, not audits. A fixed number of statements per call, whatever the
number of learners: the versions, the claims already known, the new claims and the users to tell.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from lms.accounts.models import Learner, User
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit.catalogue import Catalog
from lms.progress.audit.engine import audit
from lms.progress.audit.ranking import CompletionFilter, is_certificate, newest_versions
from lms.progress.audit.records import LearnerRecord
from lms.progress.models import CredentialClaim

KIND = "certificate_complete"
CREDENTIALS_ENDPOINT = "progress_explore.credentials"


def lms_progress_refreshed(records: Mapping[int, LearnerRecord], catalog: Catalog, as_of: date, bulk: bool) -> None:
    """Record and announce the certificates now complete for these learners.

    ``bulk`` (everyone re-audited after a catalogue change) takes the same path: it is already
    cheap per learner (see the module's docstring)."""
    if records:
        record_complete_certificates(records, catalog, as_of)


def record_complete_certificates(
    records: Mapping[int, LearnerRecord], catalog: Catalog, as_of: date | None = None
) -> list[tuple[int, str]]:
    """Audit the newest version of every certificate for each learner of ``records`` (learner id ->
    record); store a claim for each one newly complete and notify its learner. Returns the new
    claims as (learner id, programme code)."""
    certificates = _certificates(catalog)
    if not certificates.programs:
        return []
    version_ids = _version_ids({(program.code, program.version) for program in certificates.programs.values()})
    known = {
        (learner_id, version_id)
        for learner_id, version_id in db.session.execute(
            sa.select(CredentialClaim.learner_id, CredentialClaim.programme_version_id).where(
                CredentialClaim.learner_id.in_(list(records)),
                CredentialClaim.programme_version_id.in_(list(version_ids.values())),
            )
        )
    }
    now = utcnow()
    claims: list[dict[str, Any]] = []
    claimed: dict[int, list[str]] = {}
    for learner_id, record in records.items():
        for program in sorted(certificates.candidates(record), key=lambda program: program.code):
            version_id = version_ids.get((program.code, program.version))
            if version_id is None or (learner_id, version_id) in known:
                continue
            result = audit(program, catalog.units, catalog.equivalences, record, as_of)
            if result["status"] != "complete":
                continue
            claims.append(
                {
                    "learner_id": learner_id,
                    "programme_version_id": version_id,
                    "complete_since": now,
                    "notified_at": now,
                }
            )
            claimed.setdefault(learner_id, []).append(program.code)
    if not claims:
        return []
    db.session.execute(sa.insert(CredentialClaim), claims)  # one statement for them all
    _notify(claimed)
    return [(learner_id, code) for learner_id, codes in claimed.items() for code in codes]


_FILTER: list[tuple[weakref.ref[Catalog], CompletionFilter]] = []  # the process's catalogue, its filter


def _certificates(catalog: Catalog) -> CompletionFilter:
    """The newest version of every certificate of ``catalog``, indexed: built once per catalogue
    (the process keeps one, until an import changes it)."""
    if not _FILTER or _FILTER[0][0]() is not catalog:
        certificates = [
            program for program in newest_versions(catalog.programs.values()).values() if is_certificate(program.kind)
        ]
        _FILTER[:] = [(weakref.ref(catalog), CompletionFilter(certificates, catalog.equivalences))]
    return _FILTER[0][1]


def _version_ids(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion.version, ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Programme.code.in_(sorted({code for code, _version in wanted})))
    )
    return {(code, version): id_ for code, version, id_ in rows if (code, version) in wanted}


def credentials_link() -> str | None:
    """The closest-credentials page, as a path (also outside a request: CLI, bulk re-audits)."""
    if CREDENTIALS_ENDPOINT not in current_app.view_functions:
        return None
    if has_request_context():
        return url_for(CREDENTIALS_ENDPOINT)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(CREDENTIALS_ENDPOINT)


def _notify(claimed: Mapping[int, list[str]]) -> None:
    from lms.notifications.services import notify

    users: dict[int, Any] = {
        learner_id: user
        for learner_id, user in db.session.execute(
            sa.select(Learner.id, User).join(User, Learner.user_id == User.id).where(Learner.id.in_(list(claimed)))
        )
    }
    link = credentials_link()
    for learner_id, codes in claimed.items():
        user = users.get(learner_id)
        if user is None:
            continue
        for code in codes:
            notify(
                [user],
                KIND,
                _l("You can claim %(code)s", code=code),
                _l(
                    "Your validated units complete the certificate %(code)s: you can ask for it to be awarded.",
                    code=code,
                ),
                link=link,
            )
