"""The transcript (relevé de notes) of a learner as a PDF: identity, each validated unit with its
grade or decision, the credits granted without an exam, and per programme the stored audit.

The content is read in five statements whatever the length of the history (the learner's account,
registrations with their published results, UA decisions, credits, programmes with their stored
audit); the HTML template ``progress/transcript_pdf.html`` is rendered in the document's language
and turned into an A4 PDF by WeasyPrint.

Building a transcript issues it: it is recorded in the shared verification registry
(:mod:`lms.core.verification`, kind ``transcript``) with a public code, printed with a QR code of
its verification address; the public page shows whose transcript it is, when it was issued, and
how many units and ECTS it listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale

from lms.accounts.models import Learner
from lms.core import verification
from lms.core.i18n import gettext as _
from lms.core.plugin import format_ects
from lms.extensions import db
from lms.progress import cockpit, history

TRANSCRIPT = "transcript"  # the kind of document in the verification registry


@dataclass(frozen=True)
class Transcript:
    learner: Learner
    name: str
    issued_on: date
    units: list[history.Attempt]
    credits: list[history.Attempt]
    programmes: list[cockpit.ProgrammeProgress]  # with their stored audit and figures
    has_failed_attempts: bool
    verification_code: str = ""

    @property
    def verify_url(self) -> str:
        return verification.verification_url(self.verification_code)

    @property
    def qr(self) -> str:
        return verification.qr_png_data_uri(self.verify_url)

    @property
    def ects_by_results(self) -> Decimal:
        return sum((unit.ects for unit in self.units), Decimal(0))

    @property
    def ects_by_credits(self) -> Decimal:
        seen = {unit.code for unit in self.units}
        return sum((c.ects for c in {c.code: c for c in self.credits if c.code not in seen}.values()), Decimal(0))


def transcript(learner: Learner, issued_on: date) -> Transcript:
    lines = history.learner_history(learner)
    held = {line.code: line.ects for line in lines}  # the ECTS of every unit the audits may list as unused
    document = Transcript(
        learner=learner,
        name=learner.user.name,
        issued_on=issued_on,
        units=history.validated_units(lines),
        credits=[line for line in lines if line.source == "credit"],
        programmes=cockpit.programmes_with_figures(learner, held),
        has_failed_attempts=any(line.status == "failed" for line in lines),
    )
    issued = verification.issue(
        TRANSCRIPT,
        learner.id,
        details={
            "units": len(document.units) + len({c.code for c in document.credits}),
            "ects": str(document.ects_by_results + document.ects_by_credits),
        },
    )
    return replace(document, verification_code=issued.code)


def describe(document: verification.IssuedDocument) -> verification.Described | None:
    """What the public page shows of a transcript: whose, and how many units and ECTS it listed
    (no grades)."""
    learner = db.session.get(Learner, document.subject_id)
    if learner is None:
        return None
    details = document.details or {}
    return verification.Described(
        title=_("Transcript"),
        holder=learner.user.name,
        facts=[
            (_("Units listed"), str(details.get("units", ""))),
            (_("ECTS listed"), format_ects(Decimal(details.get("ects", "0")))),
        ],
    )


verification.register_kind(TRANSCRIPT, describe)


def render_html(document: Transcript, locale: str) -> str:
    with force_locale(locale):
        return render_template("progress/transcript_pdf.html", t=document, locale=locale)


def render_pdf(html: str, base_url: str) -> bytes:
    """An A4 PDF; tagged (PDF/UA-1) so that screen readers follow its headings and tables."""
    import weasyprint  # imported lazily: only document downloads need it

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def filename(document: Transcript) -> str:
    number = "".join(ch for ch in document.learner.learner_number if ch.isalnum())
    return f"releve-de-notes-{number}-{document.issued_on.isoformat()}.pdf"


__all__ = ["Transcript", "filename", "render_html", "render_pdf", "transcript"]
