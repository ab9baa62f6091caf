"""Writes on results: grade sheets (draft, publish), locking after the jury, corrections.

Every change appends a :class:`~lms.results.models.ResultHistory` row; history rows are never
updated or deleted. Functions flush, never commit: the request boundary commits once. One module
per topic, each naming its public face in ``__all__``; this package re-exports them, once.
"""

from lms.progress.audit.catalogue import DEFAULT_MARK as PASS_MARK  # the Cnam pass mark of a unit (/20)
from lms.results.services import corrections, history, refusals, sheets, values
from lms.results.services.corrections import *  # noqa: F403
from lms.results.services.history import *  # noqa: F403
from lms.results.services.refusals import *  # noqa: F403
from lms.results.services.sheets import *  # noqa: F403
from lms.results.services.values import *  # noqa: F403

__all__ = [
    "PASS_MARK",
    *corrections.__all__,
    *history.__all__,
    *refusals.__all__,
    *sheets.__all__,
    *values.__all__,
]
