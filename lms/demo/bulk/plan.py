"""The learners of the national data set and their histories, generated without the database
from one :class:`random.Random`: account, profile, enrolments (and their events), the application
behind each, year after year registrations at their centre and results in sessions 1 and 2,
commission credits, awards for the paths completed, and this year's attendance (a sample).

Rows come out in chunks of learners, as tuples in :data:`lms.demo.bulk.tables.COLUMNS` order, with
ids numbered from the largest already in the database: the same seed and the same database give
the same rows."""

from __future__ import annotations

import base64
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate

from lms.core.search import fold
from lms.demo.bulk.places import Hosted, Places, morning_of
from lms.demo.bulk.settings import Run
from lms.demo.bulk.source import Source
from lms.demo.bulk.tables import Ids, Rows
from lms.demo.names import EMPLOYERS, FIRST_NAMES, LAST_NAMES, slug

FIRST_NUMBER = 2_000_000  # learner numbers of seven digits: the demo's have six
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
FUNDINGS = ("cpf", "employer", "personal", "public", "other")
CREDIT_SOURCES = ("ves", "vae", "dispense", "transfer")
PACES = (5, 6, 6, 7, 8, 8, 9, 10, 10)  # units a year: working adults, some nearly full time
CANDIDATE_STATUSES = ("draft", "submitted", "submitted", "waitlisted", "rejected")
MENTIONS = (None, None, "assez_bien", "bien", "tres_bien")
JOBS = ("Développeur", "Technicienne réseau", "Chef de projet", "Analyste", "Comptable", "Infirmier")


def learner_number(index: int) -> str:
    number = FIRST_NUMBER + index
    return f"{number}{LETTERS[number % len(LETTERS)]}"


class LearnerPlan:
    """Generates the learners one after the other (call :meth:`chunks`), remembering what the
    attendance needs (this year's registrations of the offerings whose meetings are recorded)."""

    def __init__(self, run: Run, source: Source, places: Places, ids: Ids, rng: random.Random):
        self.run, self.source, self.places, self.ids, self.rng = run, source, places, ids, rng
        years = places.years
        # Most learners were there in the first year of the window; fewer begin this year.
        self.start_cum = list(accumulate([20] + [3] * (len(years) - 2) + [1]))
        self.registered: dict[int, list[int]] = defaultdict(list)
        self.certificate_seq: dict[tuple[str, int, str], int] = defaultdict(int)
        self._history_json: dict[tuple, str] = {}
        self.first_email = ""

    def chunks(self) -> Iterator[tuple[int, Rows]]:
        rows = Rows()
        done = 0
        for index in range(self.run.settings.learners):
            self.learner(index, rows)
            done += 1
            if done % self.run.settings.chunk == 0:
                yield done, rows
                rows = Rows()
        if rows:
            yield done, rows

    # --- one learner -------------------------------------------------------------------------

    def learner(self, index: int, rows: Rows) -> None:
        rng, ids, places, run = self.rng, self.ids, self.places, self.run
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        number = learner_number(index)
        centre = rng.choices(range(len(places.centre_ids)), cum_weights=places.centre_cum)[0]
        hosted = places.hosted[centre]
        main = hosted[rng.choices(range(len(hosted)), cum_weights=places.hosted_cum[centre])[0]]
        start = rng.choices(places.years, cum_weights=self.start_cum)[0]
        pace = rng.choice(PACES)
        drop_after = rng.choice((1, 2)) if rng.random() < 0.08 else None
        funding = rng.choice(FUNDINGS)
        joined = morning_of(date(start, 6, 1 + rng.randrange(28)))
        user_id, learner_id = ids.take("users"), ids.take("learners")
        name = f"{first} {last}"
        email = f"{slug(first)}.{slug(last)}.{number.lower()}@auditeurs.example.org"
        rows.add("users", (user_id, email, name, run.password_hash, "fr", True, joined, f"{fold(name)} {fold(email)}"))
        rows.add("user_roles", (user_id, "learner", joined))
        self.first_email = self.first_email or email
        employer = rng.choice(EMPLOYERS)
        rows.add("learners", (learner_id, user_id, number, employer, funding, places.centre_ids[centre], joined))

        paths = [(main, rng.randrange(len(main.variants)), start)]
        certificates = [h for h in places.certificates[centre] if h.version.id != main.version.id]
        if certificates and start < run.current_year and rng.random() < 0.12:
            side = rng.choice(certificates)
            paths.append((side, rng.randrange(len(side.variants)), start + 1))
        queue: list[str] = []
        for hosted_path, variant, _year in paths:
            queue += [code for code in hosted_path.variants[variant] if code not in queue]
        stop_year = start + drop_after if drop_after else None

        validated: dict[str, int] = {}  # unit code -> academic year validated
        if rng.random() < 0.12:
            self.credits(rows, learner_id, main, queue, validated, start)
        last_year = min(run.current_year, stop_year - 1 if stop_year else run.current_year)
        for year in range(start, last_year + 1):
            if year > start and all(code in validated for code in queue):
                self.follow_on(paths, queue, centre, year)
            self.year_of(rows, learner_id, centre, queue, validated, year, pace)
        for hosted_path, variant, year in paths:
            self.enrolment(rows, user_id, learner_id, centre, funding, hosted_path, variant, year, stop_year, validated)
        if not stop_year and rng.random() < 0.04:
            self.candidacy(rows, user_id, centre, main, funding)

    def follow_on(self, paths: list, queue: list[str], centre: int, year: int) -> None:
        """Most of those who finished a path (85 %) enrol in another programme of their centre."""
        rng, hosted = self.rng, self.places.hosted[centre]
        if rng.random() >= 0.85:
            return
        followed = {path[0].version.programme_id for path in paths}
        for _attempt in range(3):
            following = hosted[rng.choices(range(len(hosted)), cum_weights=self.places.hosted_cum[centre])[0]]
            if following.version.programme_id not in followed:
                variant = rng.randrange(len(following.variants))
                paths.append((following, variant, year))
                queue += [code for code in following.variants[variant] if code not in queue]
                return

    def credits(self, rows: Rows, learner_id: int, main: Hosted, queue, validated, start: int) -> None:
        """One or two units granted by the commission (VES, VAE, exemption, transfer) on arrival."""
        rng = self.rng
        director = self.source.directors.get(main.version.programme_id)
        candidates = [code for code in queue if not self.source.units[code].is_ua][: rng.choice((1, 2))]
        for code in candidates:
            credit_source = rng.choice(CREDIT_SOURCES)
            granted = date(start, 10, 1 + rng.randrange(28))
            rows.add(
                "credits",
                (
                    self.ids.take("credits"),
                    learner_id,
                    self.source.units[code].id,
                    credit_source,
                    main.version.programme_id if credit_source == "ves" else None,
                    granted,
                    "Décision de la commission pédagogique",
                    director,
                    morning_of(granted),
                ),
            )
            validated[code] = start - 1

    def year_of(self, rows: Rows, learner_id: int, centre: int, queue, validated, year: int, pace: int) -> None:
        """Up to ``pace`` units not yet validated, taught at the centre this year (activities,
        UAs, at the end of the path); graded when the year is over."""
        rng, places, units = self.rng, self.places, self.source.units
        todo = [code for code in queue if code not in validated]
        taken = 0
        for code in todo:
            if taken >= pace:
                break
            taught = places.taught.get((centre, code, year))
            if taught is None or (units[code].is_ua and len(todo) > pace):
                continue
            taken += 1
            registration_id = self.ids.take("registrations")
            registered_at = morning_of(date(year, 9, 1 + rng.randrange(30)))
            if rng.random() < 0.03:  # withdrew during the year: no result
                left = registered_at + timedelta(days=30 + rng.randrange(60))
                rows.add("registrations", (registration_id, learner_id, taught.id, "withdrawn", left, registered_at))
                continue
            rows.add("registrations", (registration_id, learner_id, taught.id, "registered", None, registered_at))
            if year == self.run.current_year:
                if taught.id in places.held:
                    self.registered[taught.id].append(registration_id)
            elif self.grade(rows, registration_id, taught, units[code].is_ua):
                validated[code] = year

    def grade(self, rows: Rows, registration_id: int, taught, is_ua: bool) -> bool:
        """Session 1 and, for most of those who failed or were absent, session 2."""
        rng = self.rng
        if is_ua:
            passed = rng.random() < 0.92
            self.result(rows, registration_id, 1, taught, None, False, "validated" if passed else "not_validated")
            return passed
        absent = rng.random() < 0.07
        mark = None if absent else half_point(rng.gauss(12, 3.4))
        self.result(rows, registration_id, 1, taught, mark, absent, None)
        if mark is not None and mark >= 10:
            return True
        if rng.random() < 0.85:
            absent = rng.random() < 0.1
            mark = None if absent else half_point(rng.gauss(11.5, 3))
            self.result(rows, registration_id, 2, taught, mark, absent, None)
            return mark is not None and mark >= 10
        return False

    def result(self, rows: Rows, registration_id, session, taught, mark, absent, decision) -> None:
        """A published, locked result and its history (one row: imported as published)."""
        exam = taught.exam1_on if session == 1 else taught.exam2_on
        created, published = morning_of(exam), morning_of(exam + timedelta(days=14))
        result_id = self.ids.take("results")
        rows.add(
            "results",
            (result_id, registration_id, session, mark, absent, decision, "published", True, 1, exam)
            + (published, published, taught.tutor_id, created),
        )
        key = (mark, absent, decision)
        value = self._history_json.get(key)
        if value is None:
            grade = None if mark is None else f"{mark:.2f}"
            value = self._history_json[key] = json.dumps({"grade": grade, "absent": absent, "decision": decision})
        rows.add(
            "result_history",
            (self.ids.take("result_history"), result_id, "import", published) + (taught.tutor_id, value, "demo"),
        )

    def enrolment(self, rows, user_id, learner_id, centre, funding, hosted, variant, year, stop_year, validated):
        """The enrolment (with its accepted application when the centre had an intake that year),
        completed and awarded when its path is validated and a jury has met since, withdrawn when
        the learner dropped out, active otherwise."""
        rng, run, version = self.rng, self.run, hosted.version
        enrolled = date(year, 9, 1 + rng.randrange(28))
        intake_id = self.places.intakes.get((centre, version.id, year))
        director = self.source.directors.get(version.programme_id)
        if intake_id is not None:
            level = version.entry_level
            rows.add(
                "applications",
                (self.ids.take("applications"), user_id, intake_id, level, None, rng.randrange(1, 15), funding, False)
                + ("accepted", morning_of(date(year, 6, 1)), morning_of(date(year, 7, 1)), director, None)
                + (morning_of(date(year, 5, 20)),),
            )
        units = hosted.variants[variant]
        status, ended = "active", None
        jury = None
        if hosted.complete[variant] and all(code in validated for code in units):
            jury = date(max(validated[code] for code in units) + 1, 10, 15)
            jury = max(jury, enrolled)
            if jury <= run.today:
                status, ended = "completed", jury
        if status == "active" and stop_year is not None and stop_year <= run.current_year:
            status, ended = "withdrawn", date(stop_year, 9, 30)
        enrolment_id = self.ids.take("enrolments")
        rows.add(
            "enrolments",
            (enrolment_id, learner_id, version.id, version.programme_id, intake_id, status, enrolled, ended)
            + (morning_of(enrolled),),
        )
        rows.add(
            "enrolment_events",
            (self.ids.take("enrolment_events"), enrolment_id, None, "active", enrolled) + (morning_of(enrolled),),
        )
        if ended is not None:
            rows.add(
                "enrolment_events",
                (self.ids.take("enrolment_events"), enrolment_id, "active", status, ended) + (morning_of(ended),),
            )
        if status == "completed":
            self.award(rows, enrolment_id, learner_id, centre, version, ended, director)

    def award(self, rows: Rows, enrolment_id, learner_id, centre, version, decided, director) -> None:
        centre_code = self.places.centre_codes[centre]
        key = (version.code, decided.year, centre_code)
        self.certificate_seq[key] += 1
        award_id = self.ids.take("awards")
        code = base64.urlsafe_b64encode(self.rng.randbytes(18)).decode()
        rows.add(
            "awards",
            (award_id, enrolment_id, learner_id, version.programme_id, decided)
            + (f"Jury {centre_code} de la formation {version.code}", self.rng.choice(MENTIONS), version.nominal_ects)
            + (f"{version.code}-{decided.year}-{centre_code}-{self.certificate_seq[key]:05d}", code, director)
            + (morning_of(decided),),
        )
        rows.add(
            "issued_documents",
            (self.ids.take("issued_documents"), "certificate", code, award_id) + (morning_of(decided), "{}"),
        )

    def candidacy(self, rows: Rows, user_id: int, centre: int, main: Hosted, funding: str) -> None:
        """An application to next year's intake of another programme, somewhere in its review."""
        rng, run = self.rng, self.run
        others = [h for h in self.places.hosted[centre] if h.version.programme_id != main.version.programme_id]
        if not others:
            return
        version = rng.choice(others).version
        intake_id = self.places.intakes[(centre, version.id, run.current_year + 1)]
        status = rng.choice(CANDIDATE_STATUSES)
        decided = status in ("waitlisted", "rejected")
        today = morning_of(run.today)
        rows.add(
            "applications",
            (self.ids.take("applications"), user_id, intake_id, version.entry_level, rng.choice(JOBS))
            + (rng.randrange(1, 12), funding, rng.random() < 0.2, status)
            + (None if status == "draft" else today - timedelta(days=7), today if decided else None)
            + (self.source.directors.get(version.programme_id) if decided else None,)
            + ("Expérience à préciser" if status == "rejected" else None, today - timedelta(days=10)),
        )

    # --- after every learner ------------------------------------------------------------------

    def attendance(self, chunk: int) -> Iterator[tuple[int, Rows]]:
        """Attendance of this year's meetings already held, for the sampled offerings."""
        rng, rows, done = self.rng, Rows(), 0
        for offering_id in sorted(self.registered):
            registrations = self.registered[offering_id]
            for meeting_id, ends, mode, minutes, tutor_id in self.places.held[offering_id]:
                for registration_id in registrations:
                    draw = rng.random()
                    if draw < 0.08:
                        status, connected = "absent", None
                    elif draw < 0.12:
                        status, connected = "excused", None
                    elif mode == "remote" or (mode == "both" and draw > 0.6):
                        status, connected = "present_remote", minutes - rng.randrange(0, 20)
                    else:
                        status, connected = "present_in_person", None
                    rows.add(
                        "attendance",
                        (self.ids.take("attendance"), registration_id, meeting_id, status)
                        + (connected, ends, tutor_id),
                    )
                    done += 1
            if done >= chunk:
                yield done, rows
                rows, done = Rows(), 0
        if rows:
            yield done, rows


def half_point(value: float) -> float:
    """A grade /20 rounded to the half point, as juries write them."""
    return round(min(20.0, max(0.0, value)) * 2) / 2
