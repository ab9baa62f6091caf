"""People-facing names of the progress area's enumerations, translated (French first)."""

from __future__ import annotations

from lms.core.i18n import lazy_gettext as _l
from lms.core.labels import labeller
from lms.progress.models import AuditStatus

AUDIT_STATUS = {
    AuditStatus.COMPLETE: _l("Complete"),
    AuditStatus.IN_PROGRESS: _l("Complete once current units are validated"),
    AuditStatus.INCOMPLETE: _l("Incomplete"),
}

audit_status_label = labeller(AUDIT_STATUS)

TEMPLATE_GLOBALS = {"audit_status_label": audit_status_label}
