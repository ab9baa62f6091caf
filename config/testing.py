"""Settings for the test suite. CSRF and throttling stay on: they are under test too."""

TESTING = True
SECRET_KEY = "test-secret-key-not-for-production"
# Cheap hashes keep the suite fast; production parameters are tested for rehashing separately.
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 1024
ARGON2_PARALLELISM = 1
# E-mails go through SMTP_HOST only (tests run their own server): never into a folder.
MAIL_FOLDER = None
# Background tasks run at once, after their commit, in the test's process; the queue's own tests
# (tests/tasks) run real consumers on SQLite and Redis.
TASKS_IMMEDIATE = True
