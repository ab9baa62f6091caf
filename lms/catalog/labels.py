"""People-facing names of the catalogue's enumerations, translated (French first)."""

from __future__ import annotations

from lms.catalog.models import ProgrammeKind
from lms.core.i18n import lazy_gettext as _l
from lms.core.labels import labeller

PROGRAMME_KIND = {
    ProgrammeKind.LICENCE: _l("Licence"),
    ProgrammeKind.LICENCE_PRO: _l("Professional licence"),
    ProgrammeKind.MASTER: _l("Master"),
    ProgrammeKind.INGENIEUR: _l("Engineering degree"),
    ProgrammeKind.TITRE_RNCP: _l("RNCP title"),
    ProgrammeKind.DEUST: _l("DEUST"),
    ProgrammeKind.CERTIFICAT_COMPETENCE: _l("Certificate of competence"),
    ProgrammeKind.CERTIFICAT_SPECIALISATION: _l("Certificate of specialisation"),
    ProgrammeKind.CERTIFICAT_PROFESSIONNEL: _l("Professional certificate"),
    ProgrammeKind.MICRO_CERTIFICATION: _l("Micro-certification"),
    ProgrammeKind.DIPLOME_ETABLISSEMENT: _l("Institution diploma"),
    ProgrammeKind.DOCTORAT: _l("Doctorate"),
}

programme_kind_label = labeller(PROGRAMME_KIND)

# Pages of other areas (awards, progress) name programme kinds too: registered app-wide.
TEMPLATE_GLOBALS = {"programme_kind_label": programme_kind_label}
