"""Remote presence from the participants report of the video tool (Zoom, Teams, BigBlueButton).

The report is read and matched by pure functions (:func:`read_participants`,
:func:`match_participants`), previewed, and written all at once on confirmation
(:func:`lms.timetable.services.attendance.save_attendance`). Between the two the file stays
server-side under a random token, bound to its user and meeting (:mod:`lms.core.uploads`,
settings ``ATTENDANCE_UPLOAD_*``).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from lms.core.i18n import lazy_gettext as _l
from lms.core.tables import UnreadableFile, normalise_header, table_rows
from lms.core.uploads import UploadStore
from lms.timetable.models import (
    AttendanceStatus,
    Meeting,
)
from lms.timetable.queries.attendance import SheetRow, minutes_between
from lms.timetable.services.attendance_dates import JOIN_HEADERS

NAME_HEADERS = frozenset(
    {
        "name (original name)",
        "name",
        "nom",
        "participant",
        "participant name",
        "full name",
        "nom complet",
        "display name",
        "nom (nom d'origine)",
        "nom (nom original)",
        "user name",
        "username",
        "nom d'utilisateur",
    }
)


EMAIL_HEADERS = frozenset(
    {
        "user email",
        "email",
        "e-mail",
        "email address",
        "adresse e-mail",
        "adresse email",
        "courriel",
        "e-mail de l'utilisateur",
        "e-mail utilisateur",
        "mail",
        "upn",
        "participant id (upn)",
        "user principal name",
    }
)


MINUTES_HEADERS = frozenset(
    {
        "duration (minutes)",
        "duration (min)",
        "duration",
        "minutes",
        "durée (minutes)",
        "durée (min)",
        "durée",
        "total duration (minutes)",
        "time in meeting (minutes)",
        "minutes connected",
        "in-meeting duration (minutes)",
        "durée de la réunion (minutes)",
    }
)


@dataclass
class Participant:
    """One person of the report, reconnections merged: minutes are summed."""

    line: int
    name: str
    email: str | None
    minutes: int
    joins: list[tuple[int, str]] = field(default_factory=list)  # (line, join time as written)


@dataclass
class ParticipantFile:
    filename: str
    participants: list[Participant] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def joins(self) -> list[tuple[int, str]]:
        """Every join time of the report, by line: see ``attendance_dates.join_day_problems``."""
        return sorted(join for participant in self.participants for join in participant.joins)


def _fold(text: str) -> str:
    return normalise_header(unicodedata.normalize("NFC", text))


def _column(header: list[str], names: frozenset[str]) -> int | None:
    for index, cell in enumerate(header):
        if _fold(cell) in names:
            return index
    return None


def _minutes(text: str) -> int | None:
    """Minutes from "75", "75,5", "1:15:00" (h:m:s) or "75 min"; None when unreadable."""
    raw = text.strip().lower().removesuffix("min").removesuffix("mins").strip().replace(",", ".")
    if ":" in raw:
        parts = raw.split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            return None
        numbers = [int(p) for p in parts]
        seconds = numbers[0] * 3600 + numbers[1] * 60 + (numbers[2] if len(numbers) == 3 else 0)
        return seconds // 60
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value > 100_000:
        return None
    return int(value)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def read_participants(data: bytes, filename: str) -> ParticipantFile:
    """Read a participants report: a header with a minutes column and a name or e-mail column
    (summary lines before it, as Zoom writes them, are skipped), delimiter ``,`` ``;`` or tab, UTF-8
    with or without BOM. Never raises: problems go into the result."""
    result = ParticipantFile(filename)
    try:
        records = list(table_rows(data, xlsx=False))
    except UnreadableFile as error:
        empty = error.kind == "empty"
        result.problems = [str(_l("The file is empty.")) if empty else str(_l("This is not a CSV file."))]
        return result
    header = None
    named_header = None
    for position, (_line, cells) in enumerate(records):
        minutes_at = _column(cells, MINUTES_HEADERS)
        if minutes_at is None:
            continue
        name_at, email_at = _column(cells, NAME_HEADERS), _column(cells, EMAIL_HEADERS)
        if name_at is not None:
            named_header = (position, name_at, email_at, minutes_at)
            break
        if email_at is not None and header is None:
            header = (position, name_at, email_at, minutes_at)
    chosen = named_header or header
    if chosen is None:
        result.problems.append(
            str(
                _l(
                    'No participants table found: the file needs a name or e-mail column and a duration in minutes column (e.g. "Name (Original Name)", "User Email", "Duration (Minutes)").'
                )
            )
        )
        return result
    position, name_at, email_at, minutes_at = chosen
    join_at = _column(records[position][1], JOIN_HEADERS)
    merged: dict[str, Participant] = {}
    for line, cells in records[position + 1 :]:
        if _column(cells, MINUTES_HEADERS) is not None:
            break  # another table starts (some exports append one)
        name, email = _cell(cells, name_at), _cell(cells, email_at).lower() or None
        if email is not None and "@" not in email:
            email = None
        if not name and not email:
            continue
        minutes = _minutes(_cell(cells, minutes_at))
        if minutes is None:
            result.problems.append(
                str(
                    _l(
                        "Line %(line)d: the duration %(value)r is not a number of minutes.",
                        line=line,
                        value=_cell(cells, minutes_at),
                    )
                )
            )
            continue
        key = email or f"name:{name.casefold()}"
        if key in merged:
            merged[key].minutes += minutes
            if not merged[key].name and name:
                merged[key].name = name
        else:
            merged[key] = Participant(line, name, email, minutes)
        if join_at is not None:
            merged[key].joins.append((line, _cell(cells, join_at)))
    result.participants = list(merged.values())
    if not result.participants and not result.problems:
        result.problems.append(str(_l("The file lists no participant.")))
    return result


KEPT = frozenset({AttendanceStatus.PRESENT_IN_PERSON, AttendanceStatus.EXCUSED})


def _kept(row: SheetRow) -> bool:
    """A learner already recorded present in person or excused is never turned absent by a report."""
    return row.attendance is not None and row.attendance.status in KEPT


@dataclass(frozen=True)
class MatchedLine:
    row: SheetRow
    participant: Participant
    status: AttendanceStatus
    kept: bool = False  # below the threshold, but already recorded in person or excused: unchanged


@dataclass
class ImportPreview:
    threshold: int
    matched: list[MatchedLine] = field(default_factory=list)
    unknown: list[Participant] = field(default_factory=list)
    missing: list[SheetRow] = field(default_factory=list)

    def statuses(self) -> dict[int, AttendanceStatus]:
        found = {line.row.registration.id: line.status for line in self.matched if not line.kept}
        found.update({row.registration.id: AttendanceStatus.ABSENT for row in self.missing if not _kept(row)})
        return found

    @staticmethod
    def is_kept(row: SheetRow) -> bool:
        return _kept(row)

    def minutes(self) -> dict[int, int | None]:
        found: dict[int, int | None] = {
            line.row.registration.id: line.participant.minutes for line in self.matched if not line.kept
        }
        found.update({row.registration.id: 0 for row in self.missing if not _kept(row)})
        return found


def default_threshold(meeting: Meeting) -> int:
    """Half the meeting's length, in minutes (rounded up)."""
    return -(-minutes_between(meeting.starts_at, meeting.ends_at) // 2)


def match_participants(participants: list[Participant], rows: list[SheetRow], threshold: int) -> ImportPreview:
    """Match the report against the sheet: by e-mail (case-insensitive), else by exact name when
    one learner alone has it. A learner matched by several participants gets their minutes summed.
    ``threshold`` minutes or more → present remotely, fewer → absent; learners of the sheet missing
    from the report are absent. Whoever is already recorded present in person or excused keeps it
    rather than becoming absent (a hybrid meeting's room is not in the report)."""
    preview = ImportPreview(threshold)
    by_email = {row.user.email.lower(): row for row in rows}
    by_name: dict[str, list[SheetRow]] = {}
    for row in rows:
        by_name.setdefault(_fold(row.user.name), []).append(row)
    found: dict[int, tuple[SheetRow, Participant]] = {}
    for participant in participants:
        row = by_email.get((participant.email or "").lower())
        if row is None and participant.name:
            candidates = by_name.get(_fold(participant.name), [])
            row = candidates[0] if len(candidates) == 1 else None
        if row is None:
            preview.unknown.append(participant)
            continue
        key = row.registration.id
        if key in found:
            earlier = found[key][1]
            found[key] = (
                row,
                Participant(earlier.line, earlier.name, earlier.email, earlier.minutes + participant.minutes),
            )
        else:
            found[key] = (row, participant)
    for row in rows:
        if row.registration.id in found:
            _, participant = found[row.registration.id]
            if participant.minutes >= threshold:
                preview.matched.append(MatchedLine(row, participant, AttendanceStatus.PRESENT_REMOTE))
            elif _kept(row):
                preview.matched.append(MatchedLine(row, participant, row.attendance.status, kept=True))
            else:
                preview.matched.append(MatchedLine(row, participant, AttendanceStatus.ABSENT))
        else:
            preview.missing.append(row)
    return preview


# --- the report kept between preview and confirmation ------------------------------------------------


reports = UploadStore("attendance", "ATTENDANCE_UPLOAD", media_type="text/csv", default_filename="participants.csv")


store_report = reports.store  # store_report(data, filename, user_id=, meeting_id=, threshold=)


discard_report = reports.discard


max_bytes = reports.max_bytes


@dataclass(frozen=True)
class StoredReport:
    token: str
    filename: str
    threshold: int
    data: bytes


def fetch_report(token: str | None, *, user_id: int, meeting_id: int) -> StoredReport | None:
    """The report of ``token`` if it exists, belongs to this user and meeting and has not expired."""
    stored = reports.fetch(token, user_id=user_id, meeting_id=meeting_id)
    if stored is None or not isinstance(stored.meta.get("threshold"), int):
        return None
    return StoredReport(stored.token, stored.filename, stored.meta["threshold"], stored.data)
