"""PDF documents uploaded with an application, stored outside the web root.

The bytes live under the instance folder (``APPLICATION_DOCUMENT_FOLDER`` overrides it, set from
``LMS_APPLICATION_DOCUMENT_FOLDER``) under a random stored name; the original file name is kept
only for display and for the download's ``Content-Disposition``. A file is accepted only when it
really is a PDF: it starts with ``%PDF-`` and pypdf can parse it. The size limit comes from
``APPLICATION_DOCUMENT_MAX_BYTES`` (``LMS_APPLICATION_DOCUMENT_MAX_BYTES``). Who may download a
document is decided by the view (the applicant and the reviewers); this module only stores and reads.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from lms.core.errors import Refusal
from lms.core.time import utcnow
from lms.core.uploads import display_name
from lms.extensions import db
from lms.intakes.models import Application, ApplicationDocument

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 10
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{32,64}\.pdf$")


class DocumentRejected(Refusal):
    """The file is not an acceptable PDF; the message is for people."""

    status = 422
    field = "document"


def max_bytes() -> int:
    config = current_app.config
    configured = config.get("APPLICATION_DOCUMENT_MAX_BYTES") or config.get("LMS_APPLICATION_DOCUMENT_MAX_BYTES")
    return int(configured or DEFAULT_MAX_BYTES)


def folder() -> Path:
    configured = current_app.config.get("APPLICATION_DOCUMENT_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "application-documents"


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
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = f"{secrets.token_urlsafe(32)}.pdf"
    (target / stored_name).write_bytes(data)
    name = display_name(filename, default="document.pdf")
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    document = ApplicationDocument(
        application=application,
        filename=name[:255],
        stored_name=stored_name,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    return document


def path_of(document: ApplicationDocument) -> Path | None:
    """Where the bytes of ``document`` are, or None when the stored name is odd or the file is gone."""
    if not STORED_NAME.match(document.stored_name):
        return None
    path = folder() / document.stored_name
    return path if path.is_file() else None


def remove_document(document: ApplicationDocument) -> None:
    """Delete the row; the file goes too (a rolled-back request leaves at most an orphan file)."""
    path = path_of(document)
    db.session.delete(document)
    db.session.flush()
    if path is not None:
        path.unlink(missing_ok=True)
