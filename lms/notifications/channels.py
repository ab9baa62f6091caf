"""Notification channels: in-app (a row the user reads in lms) and e-mail (after the commit).

A channel is any object with ``name`` and ``deliver(message)``; plugins add channels through the
``lms_notification_channels`` hook. E-mails are queued on the database session and sent only once
the transaction has committed: a rolled-back request never mails anyone.

Without an SMTP server (``SMTP_HOST``), e-mails are written as ``.eml`` files into ``MAIL_FOLDER``
(development: ``<instance>/mail``, so that signing up or resetting a password works under
``make run``); with neither, they are dropped.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.notifications.models import Notification

log = logging.getLogger(__name__)
OUTBOX = "lms.outbox"


@dataclass(frozen=True)
class Message:
    user_id: int
    email: str
    kind: str
    title: str
    body: str
    link: str | None = None


class InAppChannel:
    name = "in_app"

    def deliver(self, message: Message) -> None:
        db.session.add(
            Notification(
                user_id=message.user_id, kind=message.kind, title=message.title, body=message.body, link=message.link
            )
        )


class EmailChannel:
    """Sends through the SMTP server of ``SMTP_HOST``/``SMTP_PORT``, else into ``MAIL_FOLDER``."""

    name = "email"

    def deliver(self, message: Message) -> None:
        config = current_app.config
        transport = _transport()
        if transport is None:
            return
        mail = EmailMessage()
        mail["From"] = config["MAIL_FROM"]
        mail["To"] = message.email
        mail["Subject"] = message.title
        link = (
            f"\n\n{config['PUBLIC_URL'].rstrip('/')}{message.link}" if message.link and config.get("PUBLIC_URL") else ""
        )
        mail.set_content(f"{message.body}{link}\n")
        db.session().info.setdefault(OUTBOX, []).append((transport, mail))


def _transport() -> tuple[str, int, float] | Path | None:
    """SMTP settings, or the folder that keeps e-mails when there is no server, or None."""
    config = current_app.config
    if config.get("SMTP_HOST"):
        return (config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT"]))
    if config.get("MAIL_FOLDER"):
        return Path(current_app.instance_path) / config["MAIL_FOLDER"]  # an absolute folder stays as it is
    return None


def _send_outbox(session: Session) -> None:
    outbox: list[tuple[tuple[str, int, float] | Path, EmailMessage]] = session.info.pop(OUTBOX, [])
    for transport, mail in outbox:
        try:
            if isinstance(transport, Path):
                _keep(transport, mail)
            else:
                host, port, timeout = transport
                with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                    smtp.send_message(mail)
        except (OSError, smtplib.SMTPException):
            # The change is committed; a mail server down must not turn it into an error page.
            log.exception("could not send the e-mail %r to %s", mail["Subject"], mail["To"])


def _keep(folder: Path, mail: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(mail.as_bytes())
    # Warning level: gunicorn shows it, and whoever reads it knows the mail went nowhere else.
    log.warning("no SMTP server (LMS_SMTP_HOST): the e-mail %r to %s is in %s", mail["Subject"], mail["To"], path)


def _drop_outbox(session: Session) -> None:
    session.info.pop(OUTBOX, None)


def install_outbox() -> None:
    """Send queued e-mails after a commit, drop them after a rollback. Idempotent."""
    for event, handler in (("after_commit", _send_outbox), ("after_soft_rollback", _drop_on_rollback)):
        if not sa.event.contains(Session, event, handler):
            sa.event.listen(Session, event, handler)


def _drop_on_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        _drop_outbox(session)


def smtp_configured() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))
