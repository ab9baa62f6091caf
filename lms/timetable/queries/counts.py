"""Counts shared by the offering lists: registered and waitlisted learners per offering."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.timetable.models import Registration, RegistrationStatus


def offering_registration_counts(offering_ids: Any) -> sa.Subquery:
    """A subquery of (offering_id, registered, waitlisted) for the offerings of ``offering_ids`` (a
    select of offering ids, or a list), one row per offering with registrations (outer-join it and
    coalesce to 0). The offerings are named: counting every registration first grows with the data."""
    return (
        sa.select(
            Registration.offering_id,
            sa.func.count().filter(Registration.status == RegistrationStatus.REGISTERED).label("registered"),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED).label("waitlisted"),
        )
        .where(Registration.offering_id.in_(offering_ids))
        .group_by(Registration.offering_id)
        .subquery()
    )
