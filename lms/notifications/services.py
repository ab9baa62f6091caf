"""Notifying users. Flushes, never commits; e-mails leave after the commit."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db
from lms.notifications.channels import Message
from lms.notifications.models import Notification
from lms.plugins.contributions import NotificationChannel, collect
from lms.plugins.manager import plugin_manager


def channels() -> list[NotificationChannel]:
    """Every plugin's channels; for one name, the plugin registered last wins."""
    return collect(plugin_manager().hook.lms_notification_channels(), key=lambda channel: channel.name)


def notify(
    users: Iterable[User], kind: str, title, body="", link: str | None = None, via: Iterable[str] | None = None
) -> int:
    """Send one message to each user through every channel (or only the channels named in ``via``).
    ``title`` and ``body`` may be lazy translations: each user gets them in their own language,
    dates included when they are passed as :func:`lms.core.time.lazy_date` (never ``isoformat()``
    or a date formatted in the sender's language)."""
    sent = 0
    active_channels = channels()
    if via is not None:
        names = set(via)
        active_channels = [channel for channel in active_channels if channel.name in names]
    for user in users:
        if not user.active:
            continue
        with force_locale(user.locale):
            message = Message(user.id, user.email, kind, str(title), str(body), link)
        for channel in active_channels:
            channel.deliver(message)
        sent += 1
    db.session.flush()
    return sent


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_all_read(user_id: int) -> int:
    return db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
