"""Running a service so that a refusal is an answer, never a half-written transaction.

A view writes through a service inside :func:`attempt`: the block runs in a savepoint; when the
service raises a :class:`~lms.core.errors.Refusal`, only the savepoint is rolled back (what the
request did before stays, e.g. an audit row or a sheet locked on the way) and the message lands on
the form, or in a flash message, or is left to the view. A refused access (status 403) is not the
form's business: it goes on to the error handler, which answers 403 and leaves a trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash as flash_message
from wtforms import Form

from lms.core.errors import Refusal
from lms.extensions import db


@dataclass
class Attempt:
    """What became of the block: ``refusal`` is None when the service did what it was asked."""

    refusal: Refusal | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    @property
    def status(self) -> int:
        """The HTTP status of the refusal (200 when there was none)."""
        return self.refusal.status if self.refusal is not None else 200


def show_on_form(form: Form, refusal: Refusal, field: str | None = None) -> None:
    """Put the refusal's message on its field (or ``field``), else at the top of the form."""
    name = refusal.field or field
    target = getattr(form, name, None) if name else None
    if target is not None and hasattr(target, "errors"):
        target.errors = list(target.errors) + [str(refusal)]
    else:
        form.form_errors.append(str(refusal))


@contextmanager
def attempt(form: Form | None = None, *, field: str | None = None, flash: str | None = None) -> Iterator[Attempt]:
    """Run the block in a savepoint; on a refusal roll back just that and report it.

    ``form``: the message goes on the refusal's field, else on ``field``, else at the top of the
    form. ``flash``: the message is flashed with that category. Neither: the view reads
    ``outcome.refusal``. Any other exception rolls back the savepoint and goes on.
    """
    outcome = Attempt()
    savepoint = db.session.begin_nested()
    try:
        yield outcome
        savepoint.commit()
    except Refusal as refusal:
        _roll_back(savepoint)
        if refusal.status == 403:
            raise
        outcome.refusal = refusal
        if form is not None:
            show_on_form(form, refusal, field)
        elif flash is not None:
            flash_message(str(refusal), flash)
    except BaseException:
        _roll_back(savepoint)
        raise


def _roll_back(savepoint) -> None:
    # A failed flush leaves the savepoint inactive but still to be rolled back; a savepoint that
    # is already closed has nothing left to undo.
    try:
        savepoint.rollback()
    except sa.exc.ResourceClosedError:
        pass
