"""A small world for the awards tests: a certificate and a master directed by one director, another
programme directed by someone else, learners with and without a complete audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Role, User
from lms.catalog.models import (
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    Unit,
    UnitKind,
)
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.models import CredentialClaim
from lms.progress.services import refresh_progress
from lms.results.models import Credit, CreditSource
from tests.helpers import make_user

DIRECTOR = "director@example.org"
OTHER_DIRECTOR = "director2@example.org"
ADMIN = "admin@example.org"
DONE = "done@example.org"  # enrolled in the certificate, audit complete
NOT_DONE = "notdone@example.org"  # enrolled in the certificate, audit incomplete
ON_THE_WAY = "ontheway@example.org"  # enrolled in the master only, completed the certificate


@dataclass
class World:
    certificate_version: int
    master_version: int
    other_version: int
    learners: dict[str, int]  # e-mail -> learner id


def build_world(app: Flask) -> World:
    make_user(app, DIRECTOR, [Role.DIRECTOR], name="Diane Director")
    make_user(app, OTHER_DIRECTOR, [Role.DIRECTOR], name="Oscar Outside")
    make_user(app, ADMIN, [Role.ADMIN], name="Ada Admin")
    for email, name in ((DONE, "Alice Done"), (NOT_DONE, "Bob Notdone"), (ON_THE_WAY, "Chloé Ontheway")):
        make_user(app, email, [Role.LEARNER], name=name)
    with app.app_context():
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        units = [
            Unit(code="NFA031", title="Programmation", ects=Decimal(6), kind=UnitKind.UE),
            Unit(code="NFA032", title="Programmation 2", ects=Decimal(6), kind=UnitKind.UE),
            Unit(code="GLG101", title="Génie logiciel", ects=Decimal(6), kind=UnitKind.UE),
        ]
        certificate = Programme(code="CC13600A")
        certificate.directors = [users[DIRECTOR]]
        master = Programme(code="MR11401A")
        master.directors = [users[DIRECTOR]]
        other = Programme(code="LG02501A")
        other.directors = [users[OTHER_DIRECTOR]]
        versions = [
            ProgrammeVersion(
                programme=certificate,
                version="2025",
                title="Programmation avancée",
                kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
                nominal_ects=Decimal(12),
                requirements={"all": [{"unit": "NFA031"}, {"unit": "NFA032"}]},
            ),
            ProgrammeVersion(
                programme=master,
                version="2025",
                title="Master informatique",
                kind=ProgrammeKind.MASTER,
                nominal_ects=Decimal(120),
                requirements={"all": [{"unit": "NFA031"}, {"unit": "NFA032"}, {"unit": "GLG101"}]},
            ),
            ProgrammeVersion(
                programme=other,
                version="2025",
                title="Licence génie logiciel",
                kind=ProgrammeKind.LICENCE,
                nominal_ects=Decimal(180),
                requirements={"all": [{"unit": "GLG101"}]},
            ),
        ]
        db.session.add_all(units + versions)
        db.session.flush()
        learners = {email: users[email].learner for email in (DONE, NOT_DONE, ON_THE_WAY)}
        day = utcnow().date() - timedelta(days=400)
        for email, codes in ((DONE, ["NFA031", "NFA032"]), (NOT_DONE, ["NFA031"]), (ON_THE_WAY, ["NFA031", "NFA032"])):
            for unit in units:
                if unit.code in codes:
                    db.session.add(
                        Credit(
                            learner_id=learners[email].id,
                            unit_id=unit.id,
                            source=CreditSource.DISPENSE,
                            granted_on=day,
                            reason="test",
                        )
                    )
        for email in (DONE, NOT_DONE):
            db.session.add(
                Enrolment(learner_id=learners[email].id, programme_version_id=versions[0].id, enrolled_on=day)
            )
        db.session.add(
            Enrolment(learner_id=learners[ON_THE_WAY].id, programme_version_id=versions[1].id, enrolled_on=day)
        )
        db.session.flush()
        refresh_progress([learner.id for learner in learners.values()])
        # The re-audit records the certificate earned on the way (lms.progress.claims).
        assert db.session.scalar(
            sa.select(CredentialClaim.id).where(
                CredentialClaim.learner_id == learners[ON_THE_WAY].id,
                CredentialClaim.programme_version_id == versions[0].id,
            )
        )
        db.session.commit()
        return World(
            versions[0].id, versions[1].id, versions[2].id, {email: learner.id for email, learner in learners.items()}
        )


def today() -> date:
    return utcnow().date()
