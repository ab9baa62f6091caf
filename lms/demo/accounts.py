"""Demo accounts: one per role (printed by ``make run``), a second director and the tutors."""

from __future__ import annotations

import click
import sqlalchemy as sa

from lms.accounts.models import Role, User, UserRole
from lms.core.time import utcnow
from lms.demo.context import DemoContext
from lms.demo.names import FIRST_NAMES, LAST_NAMES, slug
from lms.extensions import db

DEMO_PASSWORD = "demo-lms-2026"

DEMO_ACCOUNTS = (
    (Role.LEARNER, "apprenant@example.org", "Camille Dupont"),
    (Role.TUTOR, "enseignant@example.org", "Julien Moreau"),
    (Role.DIRECTOR, "directeur@example.org", "Nadia Benali"),
    (Role.ADMIN, "admin@example.org", "Hélène Garnier"),
)
SECOND_DIRECTOR = ("directrice.master@example.org", "Sophie Lefèvre")
# Programmes of the first director; the second one directs the others.
DIRECTED_BY_FIRST = ("LG02501A", "CC0400A", "CYC9106A")


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def new_user(demo: DemoContext, email: str, name: str, roles: list[Role]) -> User:
    now = utcnow()
    user = User(email=email, name=name, password_hash=demo.password_hash, locale="fr")
    user.role_rows = [UserRole(role=role, granted_at=now) for role in roles]
    db.session.add(user)
    demo.summary.users += 1
    return user


def make_staff(demo: DemoContext) -> None:
    """The administrator, the two directors (each directing their programmes) and the tutors."""
    accounts = {role: (email, name) for role, email, name in DEMO_ACCOUNTS}
    new_user(demo, *accounts[Role.ADMIN], [Role.ADMIN])
    first = new_user(demo, *accounts[Role.DIRECTOR], [Role.DIRECTOR])
    second = new_user(demo, *SECOND_DIRECTOR, [Role.DIRECTOR])
    for code, version in demo.versions.items():
        director = first if code in DIRECTED_BY_FIRST else second
        version.programme.directors.append(director)
        demo.director_of[code] = director
    demo.tutors = [new_user(demo, *accounts[Role.TUTOR], [Role.TUTOR])]
    for i in range(1, demo.settings.tutors):
        first_name, last_name = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)], LAST_NAMES[(i * 11) % len(LAST_NAMES)]
        demo.tutors.append(
            new_user(
                demo, f"{slug(first_name)}.{slug(last_name)}@example.org", f"{first_name} {last_name}", [Role.TUTOR]
            )
        )
    db.session.flush()


def print_accounts() -> None:
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for role, email, name in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<9} {email:<28} {name}")
