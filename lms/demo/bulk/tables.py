"""The columns the bulk generator fills, table by table, in the order of its row tuples, and the
order the tables are written in (parents before children: foreign keys are checked as rows go in).

Every NOT NULL column without a server default is listed (tests/demo/test_bulk.py checks it against
the models), and so are the time stamps that have one: the same seed gives the same rows."""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "centres": ("id", "code", "name", "city", "timezone"),
    "users": ("id", "email", "name", "password_hash", "locale", "active", "created_at", "search_key"),
    "user_roles": ("user_id", "role", "granted_at"),
    "offerings": (
        "id",
        "unit_id",
        "academic_year",
        "semester",
        "modality",
        "centre_id",
        "capacity",
        "registration_opens_on",
        "registration_closes_on",
        "exam1_on",
        "exam2_on",
        "jury1_on",
        "jury2_on",
        "created_at",
    ),
    "offering_tutors": ("offering_id", "user_id"),
    "meetings": ("id", "offering_id", "starts_at", "ends_at", "mode", "room", "video_url", "status", "sequence"),
    "intakes": (
        "id",
        "programme_version_id",
        "academic_year",
        "centre_id",
        "modality",
        "capacity",
        "applications_open_on",
        "applications_close_on",
        "starts_on",
        "created_at",
    ),
    "learners": ("id", "user_id", "learner_number", "employer", "funding", "home_centre_id", "created_at"),
    "enrolments": (
        "id",
        "learner_id",
        "programme_version_id",
        "programme_id",
        "intake_id",
        "status",
        "enrolled_on",
        "ended_on",
        "created_at",
    ),
    "enrolment_events": ("id", "enrolment_id", "from_status", "to_status", "occurred_on", "recorded_at"),
    "applications": (
        "id",
        "candidate_id",
        "intake_id",
        "prior_level",
        "current_job",
        "years_experience",
        "funding",
        "vapp_requested",
        "status",
        "submitted_at",
        "decided_at",
        "decided_by_id",
        "decision_reason",
        "created_at",
    ),
    "registrations": ("id", "learner_id", "offering_id", "status", "status_changed_at", "created_at"),
    "results": (
        "id",
        "registration_id",
        "exam_session",
        "grade",
        "absent",
        "decision",
        "status",
        "locked",
        "version",
        "decided_on",
        "published_at",
        "updated_at",
        "updated_by_id",
        "created_at",
    ),
    "result_history": ("id", "result_id", "action", "changed_at", "changed_by_id", "new_value", "source"),
    "credits": (
        "id",
        "learner_id",
        "unit_id",
        "source",
        "programme_id",
        "granted_on",
        "reason",
        "decided_by_id",
        "created_at",
    ),
    "awards": (
        "id",
        "enrolment_id",
        "learner_id",
        "programme_id",
        "decided_on",
        "jury",
        "mention",
        "ects",
        "certificate_number",
        "verification_code",
        "decided_by_id",
        "created_at",
    ),
    "issued_documents": ("id", "kind", "code", "subject_id", "issued_at", "details"),
    "attendance": (
        "id",
        "registration_id",
        "meeting_id",
        "status",
        "minutes_connected",
        "recorded_at",
        "recorded_by_id",
    ),
}

# Parents first. The places (centres, tutors, offerings...) are written before the learners, the
# attendance after them.
ORDER = tuple(COLUMNS)

# Tables whose ``id`` the generator numbers itself (from the largest id already there, plus one).
NUMBERED = tuple(table for table, columns in COLUMNS.items() if columns[0] == "id")


class Rows(dict):
    """Rows waiting to be written, by table (lists of tuples in :data:`COLUMNS` order)."""

    def add(self, table: str, row: tuple) -> None:
        self.setdefault(table, []).append(row)

    def count(self) -> int:
        return sum(len(rows) for rows in self.values())


class Ids:
    """The next id of each numbered table."""

    def __init__(self, first: dict[str, int]):
        self.next = dict(first)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value
