"""LTI 1.3 tool: lms launched from a learning platform (Moodle). The protocol is pylti1p3next's,
behind the adapter of :mod:`lms.lti.adapter`; platforms, keys and launch state live in the
database (several hosts)."""
