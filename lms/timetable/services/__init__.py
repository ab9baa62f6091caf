"""Writes and rules of the timetable area (flush, never commit), one module per subject:
offerings, meetings, registrations, attendance, calendars, certificates."""
