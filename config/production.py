"""Production: secure cookies; LMS_SECRET_KEY and LMS_DATABASE_URL must be set."""

SESSION_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
