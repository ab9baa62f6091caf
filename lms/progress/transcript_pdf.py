"""The transcript (relevé de notes) of a learner as a PDF: identity, each validated unit with its
grade or decision, the credits granted without an exam, and per programme the stored audit.

The content is read in five statements whatever the length of the history (the learner's account,
registrations with their published results, UA decisions, credits, programmes with their stored
audit); the HTML template ``progress/transcript_pdf.html`` is rendered in the document's language
and turned into an A4 PDF by WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale

from lms.accounts.models import Learner
from lms.progress import cockpit, history


@dataclass(frozen=True)
class Transcript:
    learner: Learner
    name: str
    issued_on: date
    units: list[history.Attempt]
    credits: list[history.Attempt]
    programmes: list[cockpit.ProgrammeProgress]  # with their stored audit and figures
    has_failed_attempts: bool

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
    return Transcript(
        learner=learner,
        name=learner.user.name,
        issued_on=issued_on,
        units=history.validated_units(lines),
        credits=[line for line in lines if line.source == "credit"],
        programmes=cockpit.programmes_with_figures(learner, held),
        has_failed_attempts=any(line.status == "failed" for line in lines),
    )


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
