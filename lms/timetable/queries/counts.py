"""Counts shared by the offering lists: registered and waitlisted learners per offering."""

from __future__ import annotations

import sqlalchemy as sa

from lms.timetable.models import Registration, RegistrationStatus


def counted_registrations(offering_id: sa.ColumnElement) -> tuple[sa.Label, sa.Label]:
    """The registered and waitlisted counts of the offering ``offering_id`` names (a column of the
    enclosing statement), as two correlated subqueries labelled ``registered`` and ``waitlisted``:
    each reads that offering's registrations through their index, so a list of offerings costs
    what its own rows cost, not a count of every registration there is."""

    def counted(status: RegistrationStatus) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count())
            .where(Registration.offering_id == offering_id, Registration.status == status)
            .scalar_subquery()
        )

    return (
        counted(RegistrationStatus.REGISTERED).label("registered"),
        counted(RegistrationStatus.WAITLISTED).label("waitlisted"),
    )
