"""The demo cohort: learners, their enrolments and, year after year, their registrations and
results, at the pace of working adults (some drop out, some add a certificate on the way)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lms.accounts.models import Funding, Learner, Role
from lms.catalog.models import UnitKind
from lms.demo import results, timetable
from lms.demo.accounts import DEMO_ACCOUNTS, new_user
from lms.demo.context import DemoContext, morning_of
from lms.demo.names import EMPLOYERS, FIRST_NAMES, LAST_NAMES, slug
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.timetable.models import Modality, Registration, RegistrationStatus

# Programme mix of the cohort, and the certificate some learners add on the way.
PROGRAMME_WEIGHTS = {"LG02501A": 35, "MR12202A": 20, "CYC9106A": 15, "CPN0400A": 15, "CC0400A": 10, "CS6800A": 5}
SIDE_CERTIFICATES = {"LG02501A": ("CC0400A", 0.15), "MR12202A": ("CS6800A", 0.25)}


def make_cohort(demo: DemoContext) -> None:
    rng = demo.rng
    codes = list(PROGRAMME_WEIGHTS)
    weights = list(PROGRAMME_WEIGHTS.values())
    years = list(range(demo.settings.first_year, demo.current_year + 1))
    year_weights = [1 + i for i in range(len(years))]  # more recent intakes are larger
    learner_role = next(account for account in DEMO_ACCOUNTS if account[0] is Role.LEARNER)
    for index in range(demo.settings.learners):
        if index == 0:
            # The demo learner: a licence since 2021, a side certificate, a retake, a VES credit.
            email, name = learner_role[1], learner_role[2]
            programme, start, pace, drop_after = "LG02501A", min(2021, demo.current_year), 4, None
        else:
            first_name = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            last_name = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
            name = f"{first_name} {last_name}"
            email = f"{slug(first_name)}.{slug(last_name)}.{index}@example.org"
            programme = rng.choices(codes, weights)[0]
            start = rng.choices(years, year_weights)[0]
            pace = rng.choice((2, 3, 3, 4, 4, 5))
            drop_after = rng.choice((1, 2, 3)) if rng.random() < 0.1 else None
        user = new_user(demo, email, name, [Role.LEARNER])
        learner = Learner(
            user=user,
            learner_number=f"{100000 + index}{'ABCDEFGHJKLMNPRSTUVWXYZ'[(100000 + index) % 23]}",
            employer=rng.choice(EMPLOYERS),
            funding=rng.choice(list(Funding)),
            home_centre_id=demo.centre_id,
        )
        db.session.add(learner)
        demo.summary.learners += 1
        make_history(demo, learner, programme, start, pace, drop_after, is_demo=index == 0)


def make_history(
    demo: DemoContext, learner: Learner, code: str, start: int, pace: int, drop_after: int | None, is_demo: bool
) -> None:
    """Enrolments from ``start``, then ``pace`` units a year until done or dropped out."""
    rng = demo.rng
    current_year = demo.current_year
    programmes = [(code, start)]
    side = SIDE_CERTIFICATES.get(code)
    if side and (is_demo or rng.random() < side[1]) and start + 1 <= current_year:
        programmes.append((side[0], min(start + 3, current_year) if is_demo else start + 1))
    stop_year = start + drop_after if drop_after else None
    queue: list[str] = []
    for programme_code, year in programmes:
        version = demo.versions[programme_code]
        withdrawn = stop_year is not None and stop_year <= current_year
        db.session.add(
            Enrolment(
                learner=learner,
                programme_version=version,
                status=EnrolmentStatus.WITHDRAWN if withdrawn else EnrolmentStatus.ACTIVE,
                enrolled_on=date(year, 9, rng.randint(1, 28)),
                ended_on=date(stop_year, 9, 30) if withdrawn else None,
            )
        )
        demo.summary.enrolments += 1
        queue += [u for u in plan(demo, version.requirements) if u not in queue]

    validated: set[str] = set()
    if is_demo or rng.random() < 0.12:
        results.grant_credits(demo, learner, code, queue, validated, start, is_demo)
    last_year = min(current_year, stop_year - 1 if stop_year else current_year)
    for year in range(start, last_year + 1):
        todo = [u for u in queue if u not in validated]
        taken = 0
        for unit_code in todo:
            if taken >= pace:
                break
            offerings = demo.offerings_by_unit_year.get((unit_code, year))
            if not offerings:
                continue
            if demo.units[unit_code].kind is UnitKind.UA and len(todo) > pace:
                continue  # activities (experience, mémoire) come at the end of the path
            if is_demo and year == current_year:  # her timetable this year has meetings to show
                offerings = [o for o in offerings if o.modality is not Modality.FOAD] or offerings
            offering = timetable.pick_offering(demo, offerings)
            registration = Registration(
                learner=learner,
                offering=offering,
                status=RegistrationStatus.REGISTERED,
                created_at=morning_of(date(year, 9, rng.randint(1, 30))),
            )
            db.session.add(registration)
            demo.summary.registrations += 1
            taken += 1
            if year < current_year and results.grade(demo, registration, offering):
                validated.add(unit_code)


def plan(demo: DemoContext, node: dict[str, Any]) -> list[str]:
    """A set of units completing ``node``, each used once, preferring units that are taught."""
    chosen: list[str] = []
    _plan(demo, node, chosen)
    return chosen


def _plan(demo: DemoContext, node: dict[str, Any], chosen: list[str]) -> bool:
    if "unit" in node:
        if node["unit"] in chosen:
            return False
        chosen.append(node["unit"])
        return True
    if "all" in node:
        return all([_plan(demo, child, chosen) for child in node["all"]])
    need_count, need_credits = node.get("choose", 0), Decimal(str(node.get("credits", 0)))
    children = list(node["of"])
    demo.rng.shuffle(children)
    children.sort(key=lambda child: not _taught(demo, child))
    count, credits = 0, Decimal(0)
    for child in children:
        if count >= need_count and credits >= need_credits:
            break
        attempt = list(chosen)
        if _plan(demo, child, attempt):
            added = attempt[len(chosen) :]
            chosen[:] = attempt
            count += 1
            credits += sum((demo.units[u].ects for u in added), Decimal(0))
    return count >= need_count and credits >= need_credits


def _taught(demo: DemoContext, node: dict[str, Any]) -> bool:
    if "unit" in node:
        return (node["unit"], demo.current_year) in demo.offerings_by_unit_year
    return all(_taught(demo, child) for child in node.get("all", node.get("of", [])))
