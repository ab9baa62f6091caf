"""A learner's personal iCalendar feed: create, revoke, and the calendar itself (RFC 5545, built
with the ``icalendar`` library). Flush, never commit."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar

from lms.accounts.models import Learner
from lms.core.time import utcnow
from lms.extensions import db
from lms.timetable.models import CalendarFeed, MeetingMode, MeetingStatus

PRODID = "-//Cnam lms//timetable//EN"
UID_DOMAIN = "lms"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create_feed(learner: Learner) -> CalendarFeed:
    """The learner's feed: the existing one, or a new one with a fresh secret token."""
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.learner_id == learner.id))
    if feed is None:
        feed = CalendarFeed(learner_id=learner.id, token=new_token(), created_at=utcnow())
        db.session.add(feed)
        db.session.flush()
    return feed


def revoke_feed(learner: Learner) -> bool:
    """Delete the learner's feed (its URL stops working at once); False when there was none."""
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.learner_id == learner.id))
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def mark_read(feed: CalendarFeed) -> None:
    feed.last_read_at = utcnow()
    db.session.flush()


@dataclass(frozen=True)
class Event:
    """What one meeting shows in a calendar (pure data, so the builder is testable alone)."""

    meeting_id: int
    summary: str
    starts_at: datetime  # UTC-aware
    ends_at: datetime
    timezone: str
    sequence: int
    last_modified: datetime | None
    cancelled: bool
    mode: str
    room: str | None
    url: str | None
    notice: str | None = None
    description: str | None = None


def event_from(line) -> Event:
    """An :class:`Event` from a :class:`lms.timetable.queries.learner_meetings.MeetingLine`."""
    meeting, unit = line.meeting, line.unit
    return Event(
        meeting_id=meeting.id,
        summary=f"{unit.code} {unit.title}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        timezone=line.centre.timezone,
        sequence=meeting.sequence or 0,
        last_modified=meeting.updated_at,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        mode=str(meeting.mode),
        room=meeting.room if meeting.mode in (MeetingMode.IN_PERSON, MeetingMode.BOTH) else None,
        url=meeting.video_url if meeting.mode in (MeetingMode.REMOTE, MeetingMode.BOTH) else None,
        notice=meeting.notice,
        description=line.centre.name,
    )


def calendar_ics(events: Iterable[Event], name: str, stamp: datetime | None = None) -> bytes:
    """The iCalendar document of ``events``: one VEVENT each, times in their centre's timezone
    (TZID, with the VTIMEZONE components added), a stable UID per meeting and its SEQUENCE."""
    stamp = stamp or utcnow()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for item in events:
        zone = ZoneInfo(item.timezone)
        event = icalendar.Event()
        event.add("uid", f"meeting-{item.meeting_id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("sequence", item.sequence)
        if item.last_modified is not None:
            event.add("last-modified", item.last_modified)
        event.add("summary", item.summary)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        location = [part for part in (item.room, item.url) if part]
        if location:
            event.add("location", " · ".join(location))
        if item.url:
            event.add("url", item.url)
        description = [part for part in (item.notice, item.description) if part]
        if description:
            event.add("description", "\n".join(description))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
