"""Writes and rules of the timetable area (flush, never commit), one module per subject:
offerings, one meeting (meetings), its changes (meeting_changes), the recurring generator and the
school calendar it skips (generator, school_days), registrations, attendance, calendars,
certificates."""
