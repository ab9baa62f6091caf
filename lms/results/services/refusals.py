"""Why a sheet or a correction is refused: invalid rows, a stale version, a locked sheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.core.errors import Refusal


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


class CorrectionRefused(Refusal):
    """A correction the rules refuse; on the grade unless the reason is at fault."""

    status = 422
    field = "grade"


class PublishedResultChange(Refusal):
    """A published result may change only through a correction, which gives a reason."""

    status = 409
    field = "grade"
    message = _l("This result is published: correct it, with a reason, instead of saving it again.")


class PublicationTooEarly(Refusal):
    """The exam of the session has not taken place yet: publishing needs an extra confirmation."""

    status = 422
    field = "confirm_early"


class PublicationChanged(Refusal):
    """The results to publish are not those the confirmation showed: confirm again."""

    status = 409
    message = _l("The sheet changed since this page was shown: check the results to publish and confirm again.")


class JuryBeforeExam(Refusal):
    """A jury date set before the exam of its session."""

    status = 422
    field = "jury_on"
