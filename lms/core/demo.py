"""``lms demo``: the real Cnam catalogue and a deterministic cohort with multi-year histories.

The same seed always gives the same learners, grades and dates, so screenshots, tests and
benchmarks can rely on them. Everything is written in one transaction: a failure loads nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.accounts.models import Funding, Learner, Role, User, UserRole
from lms.accounts.passwords import hash_password
from lms.catalog.models import Programme, ProgrammeVersion, Unit, UnitKind
from lms.catalog.services import apply_import, plan_import
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.audit.catalogue import Catalog, CatalogError, read_catalog
from lms.progress.services import refresh_all
from lms.results.models import (
    Credit,
    CreditSource,
    Decision,
    HistoryAction,
    Result,
    ResultHistory,
    ResultStatus,
)
from lms.timetable.models import (
    Attendance,
    AttendanceStatus,
    Centre,
    MeetingMode,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog" / "data"
DEMO_PASSWORD = "demo-lms-2026"
PASS_MARK = Decimal(10)

# One account per role, printed by `make run`.
DEMO_ACCOUNTS = (
    (Role.LEARNER, "apprenant@example.org", "Camille Dupont"),
    (Role.TUTOR, "enseignant@example.org", "Julien Moreau"),
    (Role.DIRECTOR, "directeur@example.org", "Nadia Benali"),
    (Role.ADMIN, "admin@example.org", "Hélène Garnier"),
)
SECOND_DIRECTOR = ("directrice.master@example.org", "Sophie Lefèvre")

FIRST_NAMES = (
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Manon",
    "Louis",
    "Emma",
    "Gabriel",
    "Inès",
    "Arthur",
    "Sarah",
    "Jules",
    "Jade",
    "Adam",
    "Louise",
    "Nathan",
    "Alice",
    "Théo",
    "Lina",
    "Raphaël",
    "Zoé",
    "Mehdi",
    "Clara",
    "Karim",
    "Anaïs",
    "Thomas",
    "Yasmine",
    "Antoine",
    "Mathilde",
    "Samuel",
    "Aïcha",
    "Julie",
    "Paul",
    "Fatou",
    "Maxime",
    "Élodie",
    "Romain",
    "Nour",
    "Pierre",
    "Sofia",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Nguyen",
)
EMPLOYERS = (
    "SNCF",
    "RATP",
    "Orange",
    "Capgemini",
    "AP-HP",
    "Ville de Paris",
    "BNP Paribas",
    "La Poste",
    "Thales",
    "Ministère de l'Intérieur",
    "Sopra Steria",
    "EDF",
    "Société Générale",
    "Département de Seine-Saint-Denis",
    None,
)
# Programme mix of the cohort, and the certificate some learners add on the way.
PROGRAMME_WEIGHTS = {"LG02501A": 35, "MR12202A": 20, "CYC9106A": 15, "CPN0400A": 15, "CC0400A": 10, "CS6800A": 5}
SIDE_CERTIFICATES = {"LG02501A": ("CC0400A", 0.15), "MR12202A": ("CS6800A", 0.25)}
DIRECTED_BY_FIRST = ("LG02501A", "CC0400A", "CYC9106A")
# Working adults favour evenings, Saturdays and distance learning.
MODALITY_PREFERENCE = {
    Modality.HYBRIDE_SOIR: 5,
    Modality.DISTANCE_PLANIFIEE_SOIR: 5,
    Modality.FOAD: 4,
    Modality.PRESENTIEL_SOIR: 4,
    Modality.HYBRIDE_JOUR: 1,
    Modality.DISTANCE_PLANIFIEE_JOUR: 1,
    Modality.PRESENTIEL_JOUR: 1,
}


@dataclass(frozen=True)
class DemoSettings:
    learners: int = 200
    tutors: int = 10
    seed: int = 2026
    first_year: int = 2019
    today: date | None = None


@dataclass
class DemoSummary:
    users: int = 0
    learners: int = 0
    enrolments: int = 0
    offerings: int = 0
    registrations: int = 0
    results: int = 0
    credits: int = 0
    snapshots: int = 0
    meetings: int = 0
    awards: int = 0
    attendance: int = 0
    accounts: list[tuple[Role, str, str]] = field(default_factory=list)


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def load_demo(settings: DemoSettings = DemoSettings(), catalog: Catalog | None = None) -> DemoSummary:
    """Load the catalogue and generate the cohort into an empty database (flushes, no commit)."""
    if not database_is_empty():
        raise click.ClickException("the database already holds users: the demo loads only into an empty database")
    return _Generator(settings, catalog or read_catalog([CATALOG_DIR])).run()


class _Generator:
    def __init__(self, settings: DemoSettings, catalog: Catalog):
        self.settings = settings
        self.catalog = catalog
        self.rng = random.Random(settings.seed)
        self.today = settings.today or utcnow().date()
        self.current_year = academic_year(self.today)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.summary = DemoSummary()
        self.history: list[ResultHistory] = []

    # --- set-up ---------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        apply_import(plan_import(self.catalog))
        self.units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        self.versions = {
            pv.programme.code: pv
            for pv in db.session.scalars(sa.select(ProgrammeVersion).join(Programme).order_by(ProgrammeVersion.version))
        }
        self.make_staff()
        self.make_offerings()
        self.make_cohort()
        db.session.flush()
        self.make_timetable()
        # Pages read stored audits: compute them as any write of credits would.
        self.summary.snapshots = refresh_all(as_of=self.today)
        self.make_intakes()
        self.make_awards()
        self.summary.accounts = [(role, email, DEMO_PASSWORD) for role, email, _ in DEMO_ACCOUNTS]
        return self.summary

    def new_user(self, email: str, name: str, roles: list[Role]) -> User:
        now = utcnow()
        user = User(email=email, name=name, password_hash=self.password_hash, locale="fr")
        user.role_rows = [UserRole(role=role, granted_at=now) for role in roles]
        db.session.add(user)
        self.summary.users += 1
        return user

    def make_staff(self) -> None:
        accounts = {role: (email, name) for role, email, name in DEMO_ACCOUNTS}
        self.admin = self.new_user(*accounts[Role.ADMIN], [Role.ADMIN])
        first = self.new_user(*accounts[Role.DIRECTOR], [Role.DIRECTOR])
        second = self.new_user(*SECOND_DIRECTOR, [Role.DIRECTOR])
        self.director_of: dict[str, User] = {}
        for code, version in self.versions.items():
            director = first if code in DIRECTED_BY_FIRST else second
            version.programme.directors.append(director)
            self.director_of[code] = director
        self.tutors = [self.new_user(*accounts[Role.TUTOR], [Role.TUTOR])]
        for i in range(1, self.settings.tutors):
            first_name, last_name = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)], LAST_NAMES[(i * 11) % len(LAST_NAMES)]
            self.tutors.append(
                self.new_user(
                    f"{_slug(first_name)}.{_slug(last_name)}@example.org", f"{first_name} {last_name}", [Role.TUTOR]
                )
            )
        db.session.flush()

    def make_offerings(self) -> None:
        """The published schedule, repeated for every year of the cohort; UAs as annual activities."""
        schedule_year = max(o.year for o in self.catalog.offerings)
        template = [o for o in self.catalog.offerings if o.year == schedule_year]
        self.centre_id = centre_id = db.session.scalar(sa.select(Centre.id).where(Centre.code == "PAR"))
        existing = {
            (o.unit_id, o.academic_year, o.semester, o.modality): o for o in db.session.scalars(sa.select(Offering))
        }
        ua_codes = sorted(code for code, unit in self.units.items() if unit.kind is UnitKind.UA)
        tutor_of = {code: self.tutors[i % len(self.tutors)] for i, code in enumerate(sorted(self.units))}
        self.offerings_by_unit_year: dict[tuple[str, int], list[Offering]] = defaultdict(list)
        for year in range(self.settings.first_year, self.current_year + 1):
            wanted = [(o.unit, Semester(o.semester), Modality(o.modality), o.capacity) for o in template]
            wanted += [(code, Semester.A, Modality.FOAD, None) for code in ua_codes]
            for code, semester, modality, capacity in wanted:
                unit = self.units[code]
                offering = existing.get((unit.id, year, semester, modality))
                if offering is None:
                    offering = Offering(
                        unit_id=unit.id,
                        academic_year=year,
                        semester=semester,
                        modality=modality,
                        centre_id=centre_id,
                        capacity=capacity,
                    )
                    db.session.add(offering)
                    existing[(unit.id, year, semester, modality)] = offering
                _set_calendar(offering, year)
                if offering.capacity is None and modality is not Modality.FOAD:
                    offering.capacity = 60 if modality.value.startswith("distance") else 40
                offering.tutors = [tutor_of[code]]
                self.offerings_by_unit_year[(code, year)].append(offering)
        db.session.flush()
        self.summary.offerings = len(existing)

    # --- the living timetable of the current year -----------------------------------------------

    def make_timetable(self) -> None:
        """Weekly meetings for the current year's taught offerings (evening ones at 18:00, Saturday
        mornings, daytime ones), skipping French public holidays and the Christmas break, and
        attendance for the meetings already held. FOAD units have no scheduled meeting."""
        from lms.timetable.services.meetings import Closure, RecurrenceInput, generate_meetings, semester_bounds

        year = self.current_year
        christmas = Closure(date(year, 12, 20), date(year + 1, 1, 3), "Vacances de Noël")
        offerings = db.session.scalars(
            sa.select(Offering)
            .where(Offering.academic_year == year, Offering.modality != Modality.FOAD)
            .order_by(Offering.id)
        ).all()
        held: list = []
        now = datetime.combine(self.today, time(23, 59), tzinfo=UTC)
        for offering in offerings:
            code = offering.unit.code
            evening = offering.modality.value.endswith("_soir")
            if evening and self.rng.random() < 0.2:
                weekday, start, end = 5, time(9, 0), time(12, 0)  # Saturday morning
            elif evening:
                weekday, start, end = self.rng.randrange(4), time(18, 0), time(21, 0)
            else:
                weekday = self.rng.randrange(5)
                start, end = (time(9, 0), time(12, 30)) if self.rng.random() < 0.5 else (time(14, 0), time(17, 30))
            if offering.modality.value.startswith("presentiel"):
                mode = MeetingMode.IN_PERSON
            elif offering.modality.value.startswith("hybride"):
                mode = MeetingMode.BOTH
            else:
                mode = MeetingMode.REMOTE
            room = (
                f"Salle {self.rng.choice((11, 17, 31, 33, 35))}.{self.rng.randrange(1, 4)}.{self.rng.randrange(10, 60)}"
            )
            first, last = semester_bounds(year, offering.semester)
            meetings = generate_meetings(
                offering,
                RecurrenceInput(
                    weekday=weekday,
                    start=start,
                    end=end,
                    first=first,
                    last=last,
                    mode=mode,
                    room=None if mode is MeetingMode.REMOTE else room,
                    video_url=None
                    if mode is MeetingMode.IN_PERSON
                    else f"https://visio.example.org/{code.lower()}-{offering.id}",
                    closures=(christmas,),
                    skip_holidays=True,
                ),
            )
            self.summary.meetings += len(meetings)
            held += [meeting for meeting in meetings if meeting.ends_at <= now]
        self.record_attendance(held)

    def record_attendance(self, meetings: list) -> None:
        tutor_of = {o.id: o.tutors[0].id for o in {m.offering for m in meetings} if o.tutors}
        registered: dict[int, list[int]] = defaultdict(list)
        for registration_id, offering_id in db.session.execute(
            sa.select(Registration.id, Registration.offering_id).where(
                Registration.offering_id.in_({m.offering_id for m in meetings}),
                Registration.status == RegistrationStatus.REGISTERED,
            )
        ):
            registered[offering_id].append(registration_id)
        rows = []
        for meeting in meetings:
            minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
            for registration_id in registered.get(meeting.offering_id, ()):
                draw = self.rng.random()
                if draw < 0.08:
                    status, connected = AttendanceStatus.ABSENT, None
                elif draw < 0.12:
                    status, connected = AttendanceStatus.EXCUSED, None
                elif meeting.mode is MeetingMode.REMOTE or (meeting.mode is MeetingMode.BOTH and draw > 0.6):
                    status, connected = AttendanceStatus.PRESENT_REMOTE, minutes - self.rng.randrange(0, 20)
                else:
                    status, connected = AttendanceStatus.PRESENT_IN_PERSON, None
                rows.append(
                    Attendance(
                        registration_id=registration_id,
                        meeting_id=meeting.id,
                        status=status,
                        minutes_connected=connected,
                        recorded_at=meeting.ends_at,
                        recorded_by_id=tutor_of.get(meeting.offering_id),
                    )
                )
        db.session.add_all(rows)
        db.session.flush()
        self.summary.attendance = len(rows)

    # --- intakes, applications and awards ---------------------------------------------------------

    def make_intakes(self) -> None:
        """For each programme: this year's intake (its learners' applications accepted) and next
        year's, open now, with a few candidates at every stage of the review."""
        from lms.intakes.models import Application, ApplicationStatus, Intake

        year = self.current_year
        enrolments = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
        candidates = [
            self.new_user(
                f"candidat{i}@example.org",
                f"{FIRST_NAMES[(i * 5) % len(FIRST_NAMES)]} {LAST_NAMES[(i * 3) % len(LAST_NAMES)]}",
                [],
            )
            for i in range(1, 9)
        ]
        db.session.flush()
        for code, version in sorted(self.versions.items()):
            small = version.kind.value.startswith(("certificat", "micro"))
            current = Intake(
                programme_version_id=version.id,
                academic_year=year,
                centre_id=self.centre_id,
                modality=Modality.HYBRIDE_SOIR,
                capacity=25 if small else 40,
                applications_open_on=date(year, 3, 1),
                applications_close_on=date(year, 9, 15),
                starts_on=date(year, 10, 1),
            )
            following = Intake(
                programme_version_id=version.id,
                academic_year=year + 1,
                centre_id=self.centre_id,
                modality=Modality.HYBRIDE_SOIR,
                capacity=25 if small else 40,
                applications_open_on=date(year, 11, 1),
                applications_close_on=date(year + 1, 6, 30),
                starts_on=date(year + 1, 10, 1),
            )
            db.session.add_all([current, following])
            db.session.flush()
            for enrolment in enrolments:
                if enrolment.programme_version_id == version.id and enrolment.enrolled_on >= date(year, 9, 1):
                    enrolment.intake_id = current.id
                    db.session.add(
                        Application(
                            candidate_id=enrolment.learner.user_id,
                            intake_id=current.id,
                            prior_level=version.entry_level,
                            years_experience=self.rng.randrange(1, 15),
                            funding=enrolment.learner.funding,
                            status=ApplicationStatus.ACCEPTED,
                            submitted_at=_at(date(year, 6, 1)),
                            decided_at=_at(date(year, 7, 1)),
                            decided_by_id=self.director_of[code].id,
                        )
                    )
            entry = version.entry_level or 4
            for index, candidate in enumerate(candidates[: 3 if small else 5]):
                status = (
                    ApplicationStatus.DRAFT,
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.WAITLISTED,
                    ApplicationStatus.REJECTED,
                )[index]
                below = index == 2  # one candidate under the entry level, without a VAPP request: flagged
                db.session.add(
                    Application(
                        candidate_id=candidate.id,
                        intake_id=following.id,
                        prior_level=max(entry - 1, 1) if below else entry,
                        diplomas="BTS Services informatiques aux organisations" if below else "Licence professionnelle",
                        current_job=self.rng.choice(
                            ("Développeur", "Technicienne réseau", "Chef de projet", "Analyste")
                        ),
                        years_experience=self.rng.randrange(1, 12),
                        funding=self.rng.choice(list(Funding)),
                        status=status,
                        submitted_at=None if status is ApplicationStatus.DRAFT else _at(date(year, 11, 10 + index)),
                        decided_at=_at(date(year, 11, 20))
                        if status in (ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)
                        else None,
                        decided_by_id=self.director_of[code].id
                        if status in (ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)
                        else None,
                        decision_reason="Expérience à préciser" if status is ApplicationStatus.REJECTED else None,
                    )
                )
        db.session.flush()

    def make_awards(self) -> None:
        """Learners whose audit was complete before the last summer jury were awarded by it; those
        complete since wait on the eligibility list."""
        from lms.awards.models import Award
        from lms.awards.services import new_verification_code
        from lms.progress.models import AuditStatus, ProgressSnapshot

        jury_day = (
            date(self.current_year, 7, 3)
            if self.today >= date(self.current_year, 7, 3)
            else date(self.current_year - 1, 7, 3)
        )
        sequence: dict[str, int] = defaultdict(int)
        rows = db.session.execute(
            sa.select(Enrolment, ProgrammeVersion)
            .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
            .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
            .where(ProgressSnapshot.status == AuditStatus.COMPLETE, Enrolment.enrolled_on < jury_day)
            .order_by(Enrolment.id)
        ).all()
        for enrolment, version in rows:
            code = version.programme.code
            sequence[code] += 1
            db.session.add(
                Award(
                    enrolment_id=enrolment.id,
                    decided_on=jury_day,
                    jury=f"Jury de la formation {code}",
                    mention=self.rng.choice((None, "assez_bien", "bien")),
                    ects=version.nominal_ects,
                    certificate_number=f"{code}-{jury_day.year}-{sequence[code]:04d}",
                    verification_code=new_verification_code(),
                    decided_by_id=self.director_of[code].id,
                )
            )
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.ended_on = jury_day
        self.summary.awards = len(rows)
        db.session.flush()

    # --- the cohort -----------------------------------------------------------------------------

    def make_cohort(self) -> None:
        codes = list(PROGRAMME_WEIGHTS)
        weights = list(PROGRAMME_WEIGHTS.values())
        years = list(range(self.settings.first_year, self.current_year + 1))
        year_weights = [1 + i for i in range(len(years))]  # more recent intakes are larger
        learner_role = next(account for account in DEMO_ACCOUNTS if account[0] is Role.LEARNER)
        for index in range(self.settings.learners):
            if index == 0:
                # The demo learner: a licence since 2021, a side certificate, a retake, a VES credit.
                email, name = learner_role[1], learner_role[2]
                programme, start, pace, drop_after = "LG02501A", min(2021, self.current_year), 4, None
            else:
                first_name = FIRST_NAMES[self.rng.randrange(len(FIRST_NAMES))]
                last_name = LAST_NAMES[self.rng.randrange(len(LAST_NAMES))]
                name = f"{first_name} {last_name}"
                email = f"{_slug(first_name)}.{_slug(last_name)}.{index}@example.org"
                programme = self.rng.choices(codes, weights)[0]
                start = self.rng.choices(years, year_weights)[0]
                pace = self.rng.choice((2, 3, 3, 4, 4, 5))
                drop_after = self.rng.choice((1, 2, 3)) if self.rng.random() < 0.1 else None
            user = self.new_user(email, name, [Role.LEARNER])
            learner = Learner(
                user=user,
                learner_number=f"{100000 + index}{'ABCDEFGHJKLMNPRSTUVWXYZ'[(100000 + index) % 23]}",
                employer=self.rng.choice(EMPLOYERS),
                funding=self.rng.choice(list(Funding)),
                home_centre_id=self.centre_id,
            )
            db.session.add(learner)
            self.summary.learners += 1
            self.make_history(learner, programme, start, pace, drop_after, demo=index == 0)

    def make_history(
        self, learner: Learner, code: str, start: int, pace: int, drop_after: int | None, demo: bool
    ) -> None:
        programmes = [(code, start)]
        side = SIDE_CERTIFICATES.get(code)
        if side and (demo or self.rng.random() < side[1]) and start + 1 <= self.current_year:
            programmes.append((side[0], min(start + 3, self.current_year) if demo else start + 1))
        stop_year = start + drop_after if drop_after else None
        queue: list[str] = []
        for programme_code, year in programmes:
            version = self.versions[programme_code]
            withdrawn = stop_year is not None and stop_year <= self.current_year
            db.session.add(
                Enrolment(
                    learner=learner,
                    programme_version=version,
                    status=EnrolmentStatus.WITHDRAWN if withdrawn else EnrolmentStatus.ACTIVE,
                    enrolled_on=date(year, 9, self.rng.randint(1, 28)),
                    ended_on=date(stop_year, 9, 30) if withdrawn else None,
                )
            )
            self.summary.enrolments += 1
            queue += [u for u in self.plan(version.requirements) if u not in queue]

        validated: set[str] = set()
        if demo or self.rng.random() < 0.12:
            self.grant_credits(learner, code, queue, validated, start, demo)
        last_year = min(self.current_year, stop_year - 1 if stop_year else self.current_year)
        for year in range(start, last_year + 1):
            todo = [u for u in queue if u not in validated]
            taken = 0
            for unit_code in todo:
                if taken >= pace:
                    break
                offerings = self.offerings_by_unit_year.get((unit_code, year))
                if not offerings:
                    continue
                if self.units[unit_code].kind is UnitKind.UA and len(todo) > pace:
                    continue  # activities (experience, mémoire) come at the end of the path
                if demo and year == self.current_year:  # her timetable this year has meetings to show
                    offerings = [o for o in offerings if o.modality is not Modality.FOAD] or offerings
                offering = self.pick_offering(offerings)
                registration = Registration(
                    learner=learner,
                    offering=offering,
                    status=RegistrationStatus.REGISTERED,
                    created_at=_at(date(year, 9, self.rng.randint(1, 30))),
                )
                db.session.add(registration)
                self.summary.registrations += 1
                taken += 1
                if year < self.current_year and self.grade(registration, offering, year):
                    validated.add(unit_code)

    def plan(self, node: dict[str, Any], chosen: list[str] | None = None) -> list[str]:
        """A set of units completing ``node``, each used once, preferring units that are taught."""
        chosen = [] if chosen is None else chosen
        self._plan(node, chosen)
        return chosen

    def _plan(self, node: dict[str, Any], chosen: list[str]) -> bool:
        if "unit" in node:
            if node["unit"] in chosen:
                return False
            chosen.append(node["unit"])
            return True
        if "all" in node:
            return all([self._plan(child, chosen) for child in node["all"]])
        need_count, need_credits = node.get("choose", 0), Decimal(str(node.get("credits", 0)))
        children = list(node["of"])
        self.rng.shuffle(children)
        children.sort(key=lambda child: not self._taught(child))
        count, credits = 0, Decimal(0)
        for child in children:
            if count >= need_count and credits >= need_credits:
                break
            attempt = list(chosen)
            if self._plan(child, attempt):
                added = attempt[len(chosen) :]
                chosen[:] = attempt
                count += 1
                credits += sum((self.units[u].ects for u in added), Decimal(0))
        return count >= need_count and credits >= need_credits

    def _taught(self, node: dict[str, Any]) -> bool:
        if "unit" in node:
            return (node["unit"], self.current_year) in self.offerings_by_unit_year
        return all(self._taught(child) for child in node.get("all", node.get("of", [])))

    def pick_offering(self, offerings: list[Offering]) -> Offering:
        weights = [MODALITY_PREFERENCE[o.modality] for o in offerings]
        return self.rng.choices(offerings, weights)[0]

    def grant_credits(
        self, learner: Learner, code: str, queue: list[str], validated: set[str], start: int, demo: bool
    ) -> None:
        director = self.director_of[code]
        candidates = [u for u in queue if self.units[u].kind is UnitKind.UE][: 2 if demo else self.rng.choice((1, 2))]
        for position, unit_code in enumerate(candidates):
            source = CreditSource.VES if demo and position == 0 else self.rng.choice(list(CreditSource))
            db.session.add(
                Credit(
                    learner=learner,
                    unit=self.units[unit_code],
                    source=source,
                    programme=self.versions[code].programme if source is CreditSource.VES else None,
                    granted_on=date(start, 10, self.rng.randint(1, 28)),
                    reason="Décision de la commission pédagogique",
                    decided_by_id=director.id,
                )
            )
            validated.add(unit_code)
            self.summary.credits += 1

    def grade(self, registration: Registration, offering: Offering, year: int) -> bool:
        """Session 1 (and 2 when needed) for a past year; True when the unit is validated."""
        tutor = offering.tutors[0]
        if self.units[offering.unit.code].kind is UnitKind.UA:
            validated = self.rng.random() < 0.92
            self.add_result(
                registration,
                1,
                offering.exam1_on,
                tutor,
                decision=Decision.VALIDATED if validated else Decision.NOT_VALIDATED,
            )
            return validated
        absent = self.rng.random() < 0.07
        grade = None if absent else _grade(self.rng.gauss(12, 3.4))
        self.add_result(registration, 1, offering.exam1_on, tutor, grade=grade, absent=absent)
        if grade is not None and grade >= PASS_MARK:
            return True
        if self.rng.random() < 0.75:
            absent2 = self.rng.random() < 0.1
            grade2 = None if absent2 else _grade(self.rng.gauss(11.5, 3))
            self.add_result(registration, 2, offering.exam2_on, tutor, grade=grade2, absent=absent2)
            return grade2 is not None and grade2 >= PASS_MARK
        return False

    def add_result(
        self,
        registration: Registration,
        session: int,
        on: date,
        tutor: User,
        *,
        grade: Decimal | None = None,
        absent: bool = False,
        decision: Decision | None = None,
    ) -> None:
        published_at = _at(on) + timedelta(days=14)  # after the jury
        result = Result(
            registration=registration,
            exam_session=session,
            grade=grade,
            absent=absent,
            decision=decision,
            status=ResultStatus.PUBLISHED,
            locked=True,
            decided_on=on,
            published_at=published_at,
            updated_at=published_at,
            updated_by_id=tutor.id,
            created_at=_at(on),
        )
        db.session.add(result)
        value = {
            "grade": str(grade) if grade is not None else None,
            "absent": absent,
            "decision": decision.value if decision else None,
        }
        for action, at, old in ((HistoryAction.CREATE, _at(on), None), (HistoryAction.PUBLISH, published_at, value)):
            db.session.add(
                ResultHistory(
                    result=result,
                    action=action,
                    changed_at=at,
                    changed_by_id=tutor.id,
                    old_value=old,
                    new_value=value,
                    source="demo",
                )
            )
        self.summary.results += 1


def _set_calendar(offering: Offering, year: int) -> None:
    """Cnam-like dates: registration from June, S1 exams in February, S2 and annual in June."""
    offering.registration_opens_on = date(year, 6, 1)
    if offering.semester is Semester.S2:
        offering.registration_closes_on = date(year + 1, 2, 15)
    else:
        offering.registration_closes_on = date(year, 10, 15)
    if offering.semester is Semester.S1:
        offering.exam1_on, offering.exam2_on = date(year + 1, 2, 3), date(year + 1, 6, 20)
    else:
        offering.exam1_on, offering.exam2_on = date(year + 1, 6, 10), date(year + 1, 9, 10)
    offering.jury1_on = date.fromordinal(offering.exam1_on.toordinal() + 14)
    offering.jury2_on = date.fromordinal(offering.exam2_on.toordinal() + 14)


def _grade(value: float) -> Decimal:
    """A grade /20 rounded to the half point, as juries write them."""
    return Decimal(round(min(20.0, max(0.0, value)) * 2) / 2).quantize(Decimal("0.01"))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def print_accounts() -> None:
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for role, email, name in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<9} {email:<28} {name}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the accounts) when the database has users.")
@click.option("--learners", default=DemoSettings.learners, show_default=True, type=click.IntRange(1, 100000))
@click.option("--seed", default=DemoSettings.seed, show_default=True, type=int)
@with_appcontext
def demo_command(if_empty: bool, learners: int, seed: int) -> None:
    """Load the Cnam catalogue and a generated cohort of learners into an empty database."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already holds data: demo data not loaded.")
            print_accounts()
            return
        raise click.ClickException("the database already holds users: the demo loads only into an empty database")
    try:
        summary = load_demo(DemoSettings(learners=learners, seed=seed))
        db.session.commit()
    except CatalogError as error:
        db.session.rollback()
        raise click.ClickException("the demo catalogue is invalid:\n" + str(error)) from None
    click.echo(
        f"Demo loaded: {summary.learners} learners, {summary.enrolments} enrolments, {summary.offerings} offerings, "
        f"{summary.registrations} registrations, {summary.results} results, {summary.credits} credits, "
        f"{summary.meetings} meetings, {summary.attendance} attendance marks, {summary.awards} awards, "
        f"{summary.snapshots} audits."
    )
    print_accounts()
