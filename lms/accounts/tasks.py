"""Accounts' background work: expired login sessions leave the database each night."""

from __future__ import annotations

from lms.core.tasks import periodic


@periodic(hour="3", minute="15")
def purge_expired_sessions() -> int:
    from lms.accounts.services import purge_expired_sessions as purge

    return purge()
