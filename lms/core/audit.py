"""Writing the security audit log.

Events are added to the request's session; they are kept even when the request ends in an error
and its other changes are rolled back (see :func:`lms.core.transactions.finish_request`).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from lms.core.models import AuditEvent, AuditLog
from lms.core.time import utcnow
from lms.extensions import db


def record_event(event: AuditEvent, user_id: int | None = None, details: dict[str, Any] | None = None) -> AuditLog:
    row = AuditLog(event=event, at=utcnow(), user_id=user_id, details=details or {})
    if has_request_context():
        row.ip_address = request.remote_addr
        row.path = request.path[:500]
        g.setdefault("audit_events", []).append(row)
    db.session.add(row)
    return row
