"""Centres: create and edit (code, name, city, time zone). A centre is never deleted here: offerings
and learners' home centres point at it. Flushes, never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import available_timezones

import sqlalchemy as sa

from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.extensions import db
from lms.timetable.models import Centre

CODE_RE = re.compile(r"^[A-Z0-9]{2,10}$")


class CentreRejected(Refusal):
    """A centre that cannot be saved; ``field`` names the form field at fault."""

    status = 422


@dataclass(frozen=True)
class CentreInput:
    code: str
    name: str
    city: str
    timezone: str


def valid_timezone(name: str) -> bool:
    return name in available_timezones()


def save_centre(centre: Centre | None, data: CentreInput) -> Centre:
    code = data.code.strip().upper()
    if not CODE_RE.match(code):
        raise CentreRejected(_l("2 to 10 capital letters or digits, for example PAR."), "code")
    if not valid_timezone(data.timezone):
        raise CentreRejected(_l("Unknown time zone: use a name such as Europe/Paris."), "timezone")
    if not data.name.strip():
        raise CentreRejected(_l("Give the centre a name."), "name")
    twin = db.session.scalar(sa.select(Centre).where(Centre.code == code))
    if twin is not None and twin is not centre:
        raise CentreRejected(_l("Another centre already has the code %(code)s.", code=code), "code")
    if centre is None:
        centre = Centre()
        db.session.add(centre)
    centre.code, centre.name, centre.city, centre.timezone = (
        code,
        data.name.strip(),
        data.city.strip(),
        data.timezone,
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise CentreRejected(_l("Another centre already has the code %(code)s.", code=code), "code") from error
    return centre
