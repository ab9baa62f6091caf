"""Awards' background work: the ZIP of a jury session's certificates, built by a worker (one PDF
after another can take minutes for a large session) and offered for download on its job's page."""

from __future__ import annotations

import io
import zipfile

from lms.awards import certificates, queries
from lms.awards.models import Award
from lms.core import jobs
from lms.core.i18n import lazy_gettext as _l
from lms.core.models import BackgroundJob
from lms.core.tasks import enqueue, task
from lms.extensions import db

SESSION_ZIP = "certificates-zip"
LABEL = _l("Certificates of a jury session (ZIP)")
PROGRESS_EVERY = 5  # certificates between two progress reports


def session_zip_name(award: Award) -> str:
    code = award.enrolment.programme_version.programme.code
    return "".join(ch for ch in f"certificates-{code}-{award.decided_on.isoformat()}" if ch.isalnum() or ch == "-")


def start_session_zip(award: Award, created_by_id: int) -> int:
    """Queue the ZIP of ``award``'s jury session (refused, 413, over the size guard); the job's id."""
    awards = queries.session_awards(award)
    if len(awards) > certificates.ZIP_MAX_AWARDS:
        raise certificates.TooLarge
    job = jobs.start(SESSION_ZIP, str(LABEL), len(awards), created_by_id)
    enqueue(build_session_zip, job.id, award.id)
    return job.id


@task(retries=2, retry_delay=10, job=True)
def build_session_zip(job_id: int, award_id: int) -> None:
    job = db.session.get(BackgroundJob, job_id)
    award = db.session.get(Award, award_id)
    if job is None or job.finished or award is None:
        return
    # Progress goes in transactions of its own while this one only reads (SQLite: no write lock
    # held for minutes); the ZIP and the job's end commit together.
    jobs.report_progress(job_id, 0)
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, each in enumerate(queries.session_awards(award), start=1):
            pdf = certificates.render_certificate(each)
            total += len(pdf)
            if total > certificates.ZIP_MAX_BYTES:
                raise certificates.TooLarge
            archive.writestr(certificates.pdf_filename(each), pdf)
            if done % PROGRESS_EVERY == 0:
                jobs.report_progress(job_id, done)
    jobs.finish(job, buffer.getvalue(), f"{session_zip_name(award)}.zip", "application/zip")
