"""A meeting's attendance sheet: read it (with its ETag) and record it (If-Match)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AttendanceValue = Literal["present_in_person", "present_remote", "absent", "excused"]


class MeetingPath(BaseModel):
    meeting_id: int = Field(ge=1, le=2**31 - 1)


class AttendanceRowOut(BaseModel):
    registration_id: int
    learner_number: str
    name: str
    status: AttendanceValue | None = Field(description="None: nothing recorded yet.")
    minutes_connected: int | None
    recorded_at: datetime | None


class AttendanceSheetOut(BaseModel):
    meeting_id: int
    offering_id: int
    unit: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    mode: Literal["in_person", "remote", "both"]
    started: bool = Field(description="Attendance can be recorded once the meeting has started.")
    all_present: AttendanceValue = Field(description='What "everyone present" means for this meeting.')
    rows: list[AttendanceRowOut]


class AttendanceRowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: int = Field(ge=1, le=2**31 - 1)
    status: AttendanceValue


class AttendanceIn(BaseModel):
    """Rows left out keep what was recorded."""

    model_config = ConfigDict(extra="forbid")

    rows: list[AttendanceRowIn] = Field(max_length=2000)


class AttendanceSaved(BaseModel):
    saved: int = Field(description="How many learners were recorded (new or changed).")
