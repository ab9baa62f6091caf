"""Reads of the timetable area, one module per audience: tutors, learners, administrators."""

from lms.timetable.queries.tutors import TutorOffering, is_tutor_of, tutor_offerings

__all__ = ["TutorOffering", "is_tutor_of", "tutor_offerings"]
