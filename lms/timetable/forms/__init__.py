"""Forms of the timetable area, one module per audience."""
