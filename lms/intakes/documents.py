"""PDF documents uploaded with an application, stored outside the web root.

The bytes live in the shared storage (:mod:`lms.core.storage`: the database by default, in the
request's transaction, so a refused or failed request keeps no file and every web host serves the
same documents); ``ApplicationDocument.stored_name`` holds the storage key, random and unguessable.
The original file name is kept only for display and for the download's ``Content-Disposition``. A file is accepted only when it
really is a PDF: it starts with ``%PDF-`` and pypdf can parse it. The size limit comes from
``APPLICATION_DOCUMENT_MAX_BYTES`` (``LMS_APPLICATION_DOCUMENT_MAX_BYTES``). Who may download a
document is decided by the view (the applicant and the reviewers); this module only stores and reads.
"""

from __future__ import annotations

import hashlib
import io

from flask import current_app

from lms.core import storage
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.core.time import utcnow
from lms.core.uploads import display_name
from lms.extensions import db
from lms.intakes.models import Application, ApplicationDocument

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 10
KIND = "application-document"
MEDIA_TYPE = "application/pdf"


class DocumentRejected(Refusal):
    """The file is not an acceptable PDF; the message is for people."""

    status = 422
    field = "document"


def max_bytes() -> int:
    config = current_app.config
    configured = config.get("APPLICATION_DOCUMENT_MAX_BYTES") or config.get("LMS_APPLICATION_DOCUMENT_MAX_BYTES")
    return int(configured or DEFAULT_MAX_BYTES)


def check_pdf(data: bytes) -> None:
    """Refuse anything that is not a PDF within the size limit."""
    if not data:
        raise DocumentRejected(_("The file is empty."))
    if len(data) > max_bytes():
        raise DocumentRejected(_("The file is too big: at most %(n)d kB.", n=max_bytes() // 1024))
    if not data.startswith(b"%PDF-"):
        raise DocumentRejected(_("Only PDF files are accepted."))
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise DocumentRejected(_("The PDF file has no page."))
    except DocumentRejected:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on broken files
        raise DocumentRejected(_("The PDF file cannot be read.")) from error


def add_document(application: Application, filename: str | None, data: bytes) -> ApplicationDocument:
    """Check and store ``data``; the row is added to the session (flushed, not committed)."""
    check_pdf(data)
    if len(application.documents) >= MAX_DOCUMENTS:
        raise DocumentRejected(_("At most %(n)d documents per application.", n=MAX_DOCUMENTS))
    name = display_name(filename, default="document.pdf")
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    name = name[:255]
    key = storage.put(KIND, data, name=name, media_type=MEDIA_TYPE, user_id=application.candidate_id)
    document = ApplicationDocument(
        application=application,
        filename=name,
        stored_name=key,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    return document


def content_of(document: ApplicationDocument) -> bytes | None:
    """The bytes of ``document``, or None when they are gone (a file lost before they moved into the database)."""
    stored = storage.get(document.stored_name, kind=KIND)
    return None if stored is None else stored.content


def remove_document(document: ApplicationDocument) -> None:
    """Delete the row and its bytes, in the request's transaction (a rollback keeps both)."""
    key = document.stored_name
    db.session.delete(document)
    db.session.flush()
    storage.delete(key)
