"""LTI reads: platforms, the origins allowed to frame lms, courses an instructor launched from,
and the comparison of a course roster with an offering's registrations."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.accounts.models import ExternalIdentity, Learner, User
from lms.extensions import db
from lms.lti.models import LtiContext, LtiPlatform, lti_context_instructors
from lms.timetable.models import Registration, RegistrationStatus


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(sa.select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))


def platform(platform_id: int) -> LtiPlatform | None:
    return db.session.get(LtiPlatform, platform_id)


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def platform_origins() -> list[str]:
    """The origins of every registered platform (issuer and authorization URL): one statement."""
    rows = db.session.execute(sa.select(LtiPlatform.issuer, LtiPlatform.auth_login_url)).all()
    found = {origin(url) for row in rows for url in row}
    return sorted(each for each in found if each)


def instructor_contexts(user_id: int) -> list[LtiContext]:
    return list(
        db.session.scalars(
            sa.select(LtiContext)
            .join(lti_context_instructors, lti_context_instructors.c.context_id == LtiContext.id)
            .where(lti_context_instructors.c.user_id == user_id)
            .order_by(LtiContext.last_launch_at.desc())
        )
    )


def is_instructor_of(user_id: int, context_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.literal(1)).where(
                lti_context_instructors.c.context_id == context_id, lti_context_instructors.c.user_id == user_id
            )
        )
    )


@dataclass(frozen=True)
class RosterLine:
    name: str
    email: str | None
    in_platform: bool
    in_offering: bool
    platform_status: str | None = None


def compare_roster(issuer: str, members: list[dict], offering_id: int) -> list[RosterLine]:
    """The platform's learners side by side with the offering's registered learners, matched by
    the platform's subject (accounts linked by a launch) or by e-mail (two statements)."""
    registered = db.session.execute(
        sa.select(User.id, User.name, User.email, ExternalIdentity.subject)
        .join(Learner, Learner.user_id == User.id)
        .join(Registration, Registration.learner_id == Learner.id)
        .outerjoin(ExternalIdentity, (ExternalIdentity.user_id == User.id) & (ExternalIdentity.issuer == issuer))
        .where(Registration.offering_id == offering_id, Registration.status == RegistrationStatus.REGISTERED)
    ).all()
    by_subject = {row.subject: row for row in registered if row.subject}
    by_email = {row.email.lower(): row for row in registered}
    seen: set[int] = set()
    lines: list[RosterLine] = []
    learners = [m for m in members if any(r.endswith("#Learner") for r in m.get("roles") or [])]
    for member in learners:
        email = (member.get("email") or "").lower() or None
        row = by_subject.get(str(member.get("user_id"))) or (by_email.get(email) if email else None)
        if row is not None:
            seen.add(row.id)
        name = member.get("name") or " ".join(filter(None, [member.get("given_name"), member.get("family_name")]))
        lines.append(
            RosterLine(name or email or str(member.get("user_id")), email, True, row is not None, member.get("status"))
        )
    lines += [RosterLine(row.name, row.email, False, True) for row in registered if row.id not in seen]
    return sorted(lines, key=lambda line: (line.in_platform and line.in_offering, line.name.lower()))
