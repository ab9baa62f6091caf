"""The places of the national data set, generated without the database: regional centres, their
tutors, the programmes each hosts, its offerings year after year (one per unit it teaches), this
year's weekly meetings and the intakes. Pure: a :class:`random.Random` and the :class:`Source`."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from lms.core.search import fold
from lms.demo.bulk.plan_tree import plan_units
from lms.demo.bulk.settings import Run
from lms.demo.bulk.source import Source, VersionInfo
from lms.demo.bulk.tables import Ids, Rows
from lms.demo.names import FIRST_NAMES, LAST_NAMES, slug
from lms.timetable.services.school_days import french_holidays, semester_bounds

# The Cnam's regional centres (code, name, city of the seat, time zone), the overseas ones last.
REGIONAL_CENTRES = (
    ("IDF", "Cnam Île-de-France", "Saint-Denis", "Europe/Paris", 5),
    ("ARA", "Cnam Auvergne-Rhône-Alpes", "Lyon", "Europe/Paris", 4),
    ("HDF", "Cnam Hauts-de-France", "Lille", "Europe/Paris", 4),
    ("PACA", "Cnam Provence-Alpes-Côte d'Azur", "Marseille", "Europe/Paris", 4),
    ("OCC", "Cnam Occitanie", "Toulouse", "Europe/Paris", 3),
    ("NAQ", "Cnam Nouvelle-Aquitaine", "Bordeaux", "Europe/Paris", 3),
    ("GES", "Cnam Grand Est", "Strasbourg", "Europe/Paris", 3),
    ("PDL", "Cnam Pays de la Loire", "Nantes", "Europe/Paris", 3),
    ("BRE", "Cnam Bretagne", "Rennes", "Europe/Paris", 3),
    ("NOR", "Cnam Normandie", "Caen", "Europe/Paris", 2),
    ("BFC", "Cnam Bourgogne-Franche-Comté", "Dijon", "Europe/Paris", 2),
    ("CVL", "Cnam Centre-Val de Loire", "Orléans", "Europe/Paris", 2),
    ("COR", "Cnam Corse", "Ajaccio", "Europe/Paris", 1),
    ("REU", "Cnam La Réunion", "Saint-Denis", "Indian/Reunion", 2),
    ("GUA", "Cnam Guadeloupe", "Pointe-à-Pitre", "America/Guadeloupe", 1),
    ("MTQ", "Cnam Martinique", "Fort-de-France", "America/Martinique", 1),
    ("GUY", "Cnam Guyane", "Cayenne", "America/Cayenne", 1),
    ("MAY", "Cnam Mayotte", "Mamoudzou", "Indian/Mayotte", 1),
    ("NCL", "Cnam Nouvelle-Calédonie", "Nouméa", "Pacific/Noumea", 1),
    ("PYF", "Cnam Polynésie française", "Papeete", "Pacific/Tahiti", 1),
)
# How much each kind of programme is followed (doctorates are not taught in centres).
KIND_WEIGHTS = {
    "licence": 6,
    "licence_pro": 3,
    "master": 4,
    "ingenieur": 3,
    "titre_rncp": 4,
    "deust": 2,
    "certificat_competence": 3,
    "certificat_specialisation": 2,
    "certificat_professionnel": 3,
    "micro_certification": 1,
    "diplome_etablissement": 1,
    "doctorat": 0,
}
CERTIFICATE_KINDS = frozenset(k for k in KIND_WEIGHTS if k.startswith(("certificat", "micro")))
# Regional centres teach mostly in the evening, hybrid or at a distance.
MODALITIES = ("hybride_soir", "presentiel_soir", "distance_planifiee_soir", "foad", "presentiel_jour")
MODALITY_WEIGHTS = tuple(accumulate((4, 3, 2, 3, 1)))
PLAN_VARIANTS = 3  # ways to complete a programme a centre prepares (choices of options)


def morning_of(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


@dataclass(frozen=True)
class Hosted:
    """A programme a centre hosts: its version and the unit lists that complete it (or as far as
    units go: a free slot is met only by a director's exception)."""

    version: VersionInfo
    variants: tuple[tuple[str, ...], ...]
    complete: tuple[bool, ...]


@dataclass(frozen=True)
class Taught:
    """An offering a learner can register for."""

    id: int
    tutor_id: int
    exam1_on: date
    exam2_on: date


@dataclass
class Places:
    years: list[int]  # the academic years of the histories, the current one last
    centre_ids: list[int] = field(default_factory=list)
    centre_codes: list[str] = field(default_factory=list)
    centre_cum: list[int] = field(default_factory=list)  # cumulative weights: where learners live
    tutors: list[list[int]] = field(default_factory=list)
    hosted: list[list[Hosted]] = field(default_factory=list)
    hosted_cum: list[list[int]] = field(default_factory=list)
    certificates: list[list[Hosted]] = field(default_factory=list)
    taught: dict[tuple[int, str, int], Taught] = field(default_factory=dict)  # (centre, unit, year)
    intakes: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (centre, version id, year)
    # This year's meetings already held, for the offerings whose attendance is recorded:
    # offering id -> [(meeting id, ends at, mode, minutes, tutor id)].
    held: dict[int, list[tuple[int, datetime, str, int, int]]] = field(default_factory=lambda: defaultdict(list))


def centre_list(count: int, taken: set[str]) -> list[tuple[str, str, str, str, int]]:
    centres = [c for c in REGIONAL_CENTRES if c[0] not in taken][:count]
    number = 1
    while len(centres) < count:
        code = f"R{number:02d}"
        if code not in taken:
            centres.append((code, f"Cnam centre régional {number}", f"Ville {number}", "Europe/Paris", 1))
        number += 1
    return centres


def build_places(source: Source, run: Run, ids: Ids, rows: Rows, rng: random.Random) -> Places:
    """Centres, tutors, offerings, offering tutors, meetings and intakes into ``rows``."""
    current = run.current_year
    places = Places(years=list(range(current - run.settings.years, current + 1)))
    plannable = []
    for version in source.versions:
        weight = KIND_WEIGHTS.get(version.kind, 1)
        if weight:
            plannable.append((version, weight))
    for index, (code, name, city, zone, size) in enumerate(centre_list(run.settings.centres, source.centre_codes)):
        centre_id = ids.take("centres")
        rows.add("centres", (centre_id, code, name, city, zone))
        places.centre_ids.append(centre_id)
        places.centre_codes.append(code)
        places.centre_cum.append((places.centre_cum[-1] if places.centre_cum else 0) + size)
        places.tutors.append(make_tutors(code, run, source, ids, rows, rng))
        host_programmes(places, plannable, size, source, rng)
        make_offerings(places, index, zone, run, source, ids, rows, rng)
    return places


def make_tutors(code: str, run: Run, source: Source, ids: Ids, rows: Rows, rng: random.Random) -> list[int]:
    tutors = []
    joined = morning_of(date(run.current_year - run.settings.years, 6, 1))
    for number in range(1, run.settings.tutors_per_centre + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user_id = ids.take("users")
        email = f"{slug(first)}.{slug(last)}.{code.lower()}{number:02d}@enseignants.example.org"
        name = f"{first} {last}"
        search_key = f"{fold(name)} {fold(email)}"
        rows.add("users", (user_id, email, name, run.password_hash, "fr", True, joined, search_key))
        rows.add("user_roles", (user_id, "tutor", joined))
        tutors.append(user_id)
    return tutors


def host_programmes(places: Places, plannable: list, size: int, source: Source, rng: random.Random) -> None:
    """A centre hosts a weighted sample of the catalogue, larger for a larger centre."""
    wanted = min(len(plannable), 15 + 12 * size)
    keyed = sorted(plannable, key=lambda item: rng.random() ** (1 / item[1]), reverse=True)[:wanted]
    hosted = []
    for version, _weight in sorted(keyed, key=lambda item: item[0].code):
        variants, complete = [], []
        for _ in range(PLAN_VARIANTS):
            units, done = plan_units(version.requirements, source.units, rng)
            if units and tuple(units) not in variants:
                variants.append(tuple(units))
                complete.append(done)
        if variants:
            hosted.append(Hosted(version, tuple(variants), tuple(complete)))
    places.hosted.append(hosted)
    places.hosted_cum.append(list(accumulate(KIND_WEIGHTS.get(h.version.kind, 1) for h in hosted)))
    places.certificates.append([h for h in hosted if h.version.kind in CERTIFICATE_KINDS])


def calendar(year: int, semester: str) -> tuple[date, date, date, date, date, date]:
    """Registration window, exams and juries of sessions 1 and 2 (as the demo's Paris timetable)."""
    opens = date(year, 6, 1)
    closes = date(year + 1, 2, 15) if semester == "S2" else date(year, 10, 15)
    if semester == "S1":
        exam1, exam2 = date(year + 1, 2, 3), date(year + 1, 6, 20)
    else:
        exam1, exam2 = date(year + 1, 6, 10), date(year + 1, 9, 10)
    return opens, closes, exam1, exam2, exam1 + timedelta(days=14), exam2 + timedelta(days=14)


def make_offerings(
    places: Places, centre: int, zone: str, run: Run, source: Source, ids: Ids, rows: Rows, rng: random.Random
) -> None:
    """One offering a year of every unit the centre's programmes use; this year's meetings."""
    codes = sorted({code for hosted in places.hosted[centre] for variant in hosted.variants for code in variant})
    tutors = places.tutors[centre]
    centre_id = places.centre_ids[centre]
    style = {}
    for position, code in enumerate(codes):
        unit = source.units[code]
        if unit.is_ua:
            semester, modality = "A", "foad"
        else:
            semester = source.semesters.get(code) or rng.choice(("S1", "S2"))
            modality = rng.choices(MODALITIES, cum_weights=MODALITY_WEIGHTS)[0]
        style[code] = (semester, modality, tutors[(position * 7 + rng.randrange(3)) % len(tutors)])
    current = run.current_year
    for year in places.years:
        created = morning_of(date(year, 5, 15))
        for code in codes:
            semester, modality, tutor_id = style[code]
            offering_id = ids.take("offerings")
            opens, closes, exam1, exam2, jury1, jury2 = calendar(year, semester)
            rows.add(
                "offerings",
                (offering_id, source.units[code].id, year, semester, modality, centre_id, None)
                + (opens, closes, exam1, exam2, jury1, jury2, created),
            )
            rows.add("offering_tutors", (offering_id, tutor_id))
            places.taught[(centre, code, year)] = Taught(offering_id, tutor_id, exam1, exam2)
            if year == current and modality != "foad":
                make_meetings(places, offering_id, tutor_id, code, (semester, modality, zone), run, ids, rows, rng)
    for hosted in places.hosted[centre]:
        for year in [*places.years, current + 1]:
            intake_id = ids.take("intakes")
            if year <= current:
                window = (date(year, 3, 1), date(year, 9, 15))
            else:
                window = (date(current, 11, 1), date(year, 6, 30))
            rows.add(
                "intakes",
                (intake_id, hosted.version.id, year, centre_id, "hybride_soir", None, *window, date(year, 10, 1))
                + (morning_of(window[0] - timedelta(days=30)),),
            )
            places.intakes[(centre, hosted.version.id, year)] = intake_id


def make_meetings(
    places: Places,
    offering_id: int,
    tutor_id: int,
    code: str,
    style: tuple[str, str, str],
    run: Run,
    ids: Ids,
    rows: Rows,
    rng: random.Random,
) -> None:
    """Weekly meetings of the semester (evenings, Saturday mornings or daytime), skipping public
    holidays and the Christmas break; attendance is kept for one offering in ``attendance_every``."""
    semester, modality, zone = style
    evening = modality.endswith("_soir")
    if evening and rng.random() < 0.2:
        weekday, start, end = 5, time(9, 0), time(12, 0)
    elif evening:
        weekday, start, end = rng.randrange(4), time(18, 0), time(21, 0)
    else:
        weekday = rng.randrange(5)
        start, end = (time(9, 0), time(12, 30)) if rng.random() < 0.5 else (time(14, 0), time(17, 30))
    mode = "in_person" if modality.startswith("presentiel") else "both" if modality.startswith("hybride") else "remote"
    room = None if mode == "remote" else f"Salle {rng.randrange(1, 4)}.{rng.randrange(10, 60)}"
    video = None if mode == "in_person" else f"https://visio.example.org/{code.lower()}-{offering_id}"
    first, last = semester_bounds(run.current_year, semester)
    skip = run.holidays
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    tz = ZoneInfo(zone)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    recorded = offering_id % run.settings.attendance_every == 0
    while day <= last:
        if day not in skip:
            meeting_id = ids.take("meetings")
            starts = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
            ends = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
            rows.add("meetings", (meeting_id, offering_id, starts, ends, mode, room, video, "scheduled", 0))
            if recorded and ends <= run.now:
                places.held[offering_id].append((meeting_id, ends, mode, minutes, tutor_id))
        day += timedelta(weeks=1)


def closed_days(current_year: int) -> frozenset[date]:
    """Public holidays of the year and the Christmas break: no meeting is held on them."""
    first, last = date(current_year, 9, 1), date(current_year + 1, 8, 31)
    days = set(french_holidays(first, last))
    day = date(current_year, 12, 20)
    while day <= date(current_year + 1, 1, 3):
        days.add(day)
        day += timedelta(days=1)
    return frozenset(days)
