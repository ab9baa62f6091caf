"""Reads of the timetable area, one module per audience: tutors, learners, administrators."""

from lms.timetable.queries.tutors import TutorOffering, tutor_offerings

__all__ = ["TutorOffering", "tutor_offerings"]
