"""The one base of every refusal a user can cause.

Plain Python (no Flask, no database), so pure packages such as the grade importers can refuse too.
The pages that answer a refusal are in :mod:`lms.core.error_pages`; views run services through
:func:`lms.core.refusals.attempt`.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """Something a user asked that the rules refuse: nothing of it is kept and they are told why.

    ``message`` is for people (possibly a lazy translation; None: the page of ``status`` says it);
    ``status`` is the HTTP status of an answer that is not a form (409: the state of things forbids
    it, 403: not theirs to do, 413: too large...); ``field`` names the form field at fault (None:
    the form as a whole). Subclasses set their own defaults as class attributes.
    """

    status: int = 400
    message: Any = None
    field: str | None = None

    def __init__(self, message: Any = None, field: str | None = None, *, status: int | None = None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        if status is not None:
            self.status = status
        super().__init__(*(() if self.message is None else (self.message,)))

    def __str__(self) -> str:
        return "" if self.message is None else str(self.message)
