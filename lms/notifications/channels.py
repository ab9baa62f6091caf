"""Notification channels: in-app (a row the user reads in lms) and e-mail (after the commit).

A channel is any object with ``name`` and ``deliver(message)``; plugins add channels through the
``lms_notification_channels`` hook. E-mails are tasks of the queue (:mod:`lms.core.tasks`), sent
only once the transaction has committed: a rolled-back request never mails anyone, and a mail
server that is down is tried again rather than losing the mail.

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
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

from flask import current_app, has_app_context

from lms.core.tasks import enqueue, task
from lms.extensions import db
from lms.notifications.models import Notification

log = logging.getLogger(__name__)


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
    """Queues the e-mail (:func:`send_email`, sent once the transaction commits, retried while
    the SMTP server of ``SMTP_HOST``/``SMTP_PORT`` refuses it), else keeps it in ``MAIL_FOLDER``."""

    name = "email"

    def deliver(self, message: Message) -> None:
        config = current_app.config
        if not config.get("SMTP_HOST") and not config.get("MAIL_FOLDER"):
            return
        mail = EmailMessage()
        mail["From"] = config["MAIL_FROM"]
        mail["To"] = message.email
        mail["Subject"] = message.title
        link = (
            f"\n\n{config['PUBLIC_URL'].rstrip('/')}{message.link}" if message.link and config.get("PUBLIC_URL") else ""
        )
        mail.set_content(f"{message.body}{link}\n")
        enqueue(send_email, mail.as_bytes())


@task(retries=5, retry_delay=30)
def send_email(raw: bytes) -> None:
    """Send one e-mail through the worker's SMTP server, or keep it in ``MAIL_FOLDER`` without one.
    Raising makes the queue try again later (a mail server down for a while loses nothing)."""
    config = current_app.config
    mail = BytesParser(policy=default_policy).parsebytes(raw)
    if config.get("SMTP_HOST"):
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])) as smtp:
            smtp.send_message(mail)
    elif config.get("MAIL_FOLDER"):
        _keep(Path(current_app.instance_path) / config["MAIL_FOLDER"], mail)  # an absolute folder stays as it is


def _keep(folder: Path, mail: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(mail.as_bytes())
    # Warning level: gunicorn shows it, and whoever reads it knows the mail went nowhere else.
    log.warning("no SMTP server (LMS_SMTP_HOST): the e-mail %r to %s is in %s", mail["Subject"], mail["To"], path)


def smtp_configured() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))
