"""Production: secure cookies; LMS_SECRET_KEY and LMS_DATABASE_URL must be set."""

SESSION_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
# E-mails go through LMS_SMTP_HOST only: none are kept in a folder on the server.
MAIL_FOLDER = None
