"""People-facing names of the results' enumerations, translated (French first)."""

from __future__ import annotations

from lms.core.i18n import lazy_gettext as _l
from lms.core.labels import labeller
from lms.results.models import CreditSource

CREDIT_SOURCE = {
    CreditSource.VES: _l("VES (validation of higher education)"),
    CreditSource.VAE: _l("VAE (validation of experience)"),
    CreditSource.DISPENSE: _l("Exemption"),
    CreditSource.TRANSFER: _l("Transfer"),
}

credit_source_label = labeller(CREDIT_SOURCE)

# The learner's pages of the progress area show credits: registered app-wide.
TEMPLATE_GLOBALS = {"credit_source_label": credit_source_label}
