from tests.fixtures.lti_platform import lti_platform  # noqa: F401  (a fixture: the simulated platform)
