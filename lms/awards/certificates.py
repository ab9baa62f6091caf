"""The certificate of an award as a PDF (WeasyPrint), with a QR code (segno) of its public
verification address, and the ZIP of a jury session's certificates.

Rendering goes through the ``lms_certificate_renderer`` hook (``firstresult``): the awards plugin
answers with :func:`default_renderer`, another plugin may answer first with its own layout.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from flask import has_request_context, render_template, request
from flask_babel import force_locale, format_date

from lms.awards.models import CERTIFICATE, Award
from lms.awards.services import MENTIONS
from lms.catalog.labels import PROGRAMME_KIND
from lms.core import verification
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.extensions import db
from lms.plugins.manager import plugin_manager

ZIP_MAX_AWARDS = 500  # a jury session larger than this is refused (memory guard)
ZIP_MAX_BYTES = 200 * 1024 * 1024


class TooLarge(Refusal):
    """The ZIP would hold more certificates or bytes than the guard allows."""

    status = 413


def ects_text(value) -> str:
    """``60`` for 60.0, ``7.5`` for 7.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def verification_url(award: Award) -> str:
    """The absolute address of the public verification page of ``award`` (the shared registry's)."""
    return verification.verification_url(award.verification_code)


qr_png_data_uri = verification.qr_png_data_uri


def describe(document: verification.IssuedDocument) -> verification.Described | None:
    """What the public page shows of a certificate: the essential facts only (no learner number,
    no jury, no reason of a revocation)."""
    award = db.session.get(Award, document.subject_id)
    if award is None:
        return None
    version = award.enrolment.programme_version
    kind = PROGRAMME_KIND.get(version.kind, version.kind.value)
    return verification.Described(
        title=f"{kind} — {version.programme.code} — {version.title}",
        holder=award.enrolment.learner.user.name,
        facts=[
            (_("Date of the jury decision"), format_date(award.decided_on, format="long")),
            (_("Certificate number"), award.certificate_number),
        ],
        valid=award.revoked_at is None,
        revoked_on=award.revoked_at,
    )


verification.register_kind(CERTIFICATE, describe)


def html_for(award: Award, verify_url: str) -> str:
    enrolment = award.enrolment
    version = enrolment.programme_version
    programme = version.programme
    user = enrolment.learner.user
    locale = user.locale or "fr"
    directors = sorted((director.name for director in programme.directors), key=str.lower)
    with force_locale(locale):
        return render_template(
            "awards/certificate_pdf.html",
            award=award,
            version=version,
            programme=programme,
            kind=PROGRAMME_KIND.get(version.kind, version.kind.value),
            learner_name=user.name,
            decided_on=format_date(award.decided_on, format="long"),
            revoked_on=format_date(award.revoked_at.date(), format="long") if award.revoked_at else None,
            directors=directors,
            verify_url=verify_url,
            qr=qr_png_data_uri(verify_url),
            mention_label=MENTIONS.get(award.mention, ""),
            ects=ects_text(award.ects),
            locale=locale,
        )


def default_renderer(award: Award) -> bytes:
    import weasyprint  # imported lazily: only certificate downloads need it

    base_url = request.url_root if has_request_context() else None
    return weasyprint.HTML(string=html_for(award, verification_url(award)), base_url=base_url).write_pdf()


def render_certificate(award: Award) -> bytes:
    """The PDF of ``award``, from the first plugin that renders it."""
    pdf = plugin_manager().hook.lms_certificate_renderer(award=award)
    if pdf is None:
        pdf = default_renderer(award)
    return pdf


def pdf_filename(award: Award) -> str:
    return "certificate-" + re.sub(r"[^A-Za-z0-9-]", "", award.certificate_number) + ".pdf"


def session_zip(awards: Iterable[Award]) -> bytes:
    """One PDF per award, in one ZIP built in memory within the size guard."""
    awards = list(awards)
    if len(awards) > ZIP_MAX_AWARDS:
        raise TooLarge
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for award in awards:
            pdf = render_certificate(award)
            total += len(pdf)
            if total > ZIP_MAX_BYTES:
                raise TooLarge
            archive.writestr(pdf_filename(award), pdf)
    return buffer.getvalue()
