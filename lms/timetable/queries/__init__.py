"""Reads of the timetable area, one module per topic: tutors, administrators, attendance, and for
learners the offering catalogue, where a unit fits in their programmes (programme_fit) and their
meetings."""

from lms.timetable.queries.tutors import TutorOffering, is_tutor_of, tutor_offerings, tutor_years

__all__ = ["TutorOffering", "is_tutor_of", "tutor_offerings", "tutor_years"]
