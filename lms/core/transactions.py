"""One commit per request, at the boundary.

A response under 400 commits the request's work; anything else rolls it back, so an error never
half-writes data. Security audit rows recorded during a failed request are written again on their
own after the rollback: a refused access must leave a trace even though nothing else is kept.
"""

from __future__ import annotations

import logging

from flask import Response, g

from lms.core.models import AuditLog
from lms.extensions import db

log = logging.getLogger(__name__)


def finish_request(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()
        return response
    events: list[AuditLog] = g.pop("audit_events", [])
    db.session.rollback()
    if events:
        for event in events:
            db.session.add(
                AuditLog(
                    event=event.event,
                    at=event.at,
                    user_id=event.user_id,
                    ip_address=event.ip_address,
                    path=event.path,
                    details=event.details,
                )
            )
        try:
            db.session.commit()
        except Exception:  # the audit trail must never turn an answer into a 500
            log.exception("could not write the audit log")
            db.session.rollback()
    return response
