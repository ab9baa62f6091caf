"""Counts shared by the offering lists: registered and waitlisted learners per offering."""

from __future__ import annotations

import sqlalchemy as sa

from lms.timetable.models import Registration, RegistrationStatus


def offering_registration_counts() -> sa.Subquery:
    """A subquery of (offering_id, registered, waitlisted), one row per offering with registrations
    (outer-join it and coalesce to 0)."""
    return (
        sa.select(
            Registration.offering_id,
            sa.func.count().filter(Registration.status == RegistrationStatus.REGISTERED).label("registered"),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED).label("waitlisted"),
        )
        .group_by(Registration.offering_id)
        .subquery()
    )
