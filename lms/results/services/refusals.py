"""Why a sheet or a correction is refused: invalid rows, a stale version, a locked sheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l


class SheetRejected(Refusal):
    """Some rows are invalid: nothing was saved. ``errors`` maps registration id → message."""

    status = 422
    message = _l("Nothing was saved: correct the rows marked below.")

    def __init__(self, errors: dict[int, Any]):
        super().__init__()
        self.errors = errors


class VersionConflict(Refusal):
    """Rows changed by someone else since the sheet was loaded: ``registration_ids``."""

    status = 409
    message = _l("Someone else changed this data at the same time. Nothing was overwritten.")

    def __init__(self, registration_ids: Iterable[int]):
        super().__init__()
        self.registration_ids = sorted(set(registration_ids))


class SheetLocked(Refusal):
    """The jury date of this session has passed: the sheet is read-only."""

    status = 409
    message = _l("The jury has met: this sheet is locked.")


class FieldRefused(Refusal):
    """A value of the form the rules refuse (422), shown on its field: each subclass names the
    field it is on by default, ``class X(FieldRefused, field="...")``; the message is given when raised."""

    status = 422

    def __init_subclass__(cls, field: str | None = None, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if field is not None:
            cls.field = field


class CorrectionRefused(FieldRefused, field="grade"):
    """A correction the rules refuse; on the grade unless the reason is at fault."""


class PublishedResultChange(Refusal):
    """A published result may change only through a correction, which gives a reason."""

    status = 409
    field = "grade"
    message = _l("This result is published: correct it, with a reason, instead of saving it again.")


class PublicationTooEarly(FieldRefused, field="confirm_early"):
    """The exam of the session has not taken place yet: publishing needs an extra confirmation."""


class PublicationChanged(Refusal):
    """The results to publish are not those the confirmation showed: confirm again."""

    status = 409
    message = _l("The sheet changed since this page was shown: check the results to publish and confirm again.")


class JuryBeforeExam(FieldRefused, field="jury_on"):
    """A jury date set before the exam of its session."""


__all__ = [
    "CorrectionRefused",
    "FieldRefused",
    "JuryBeforeExam",
    "PublicationChanged",
    "PublicationTooEarly",
    "PublishedResultChange",
    "SheetLocked",
    "SheetRejected",
    "VersionConflict",
]
