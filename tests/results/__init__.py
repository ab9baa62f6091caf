"""Tests of lms.results."""
