"""Default settings (development, `make run`). Every key can be overridden by an environment
variable with the ``LMS_`` prefix: ``LMS_DATABASE_URL``, ``LMS_SECRET_KEY``, ``LMS_DISABLED_PLUGINS``...
"""

from datetime import timedelta

# Database: SQLite file under instance/ unless LMS_DATABASE_URL is set
# (e.g. postgresql+psycopg://lms:secret@localhost/lms).
DATABASE_URL = None
# Writers queue for SQLite's single write lock: a burst of saves (a grade sheet published while
# others save theirs, each re-auditing its learners) waits its turn rather than failing.
SQLITE_BUSY_TIMEOUT_MS = 15000
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# Must be set in production; `make run` keeps one in instance/secret_key.
SECRET_KEY = None

# Sessions and cookies
SESSION_COOKIE_NAME = "lms_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE_TIMEOUT = timedelta(hours=2)
REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

# CSRF tokens live as long as the session.
WTF_CSRF_TIME_LIMIT = None

# Passwords: argon2id parameters (argon2-cffi defaults, RFC 9106 low-memory profile).
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536
ARGON2_PARALLELISM = 4
PASSWORD_MIN_LENGTH = 10

# Redis (e.g. redis://localhost:6379/0): when set, the task queue and the login throttling's
# counters live there, shared by every web host and worker. Without it the queue is a SQLite file
# under instance/ and the counters stay in each process (one host).
REDIS_URL = None

# Background tasks (Huey, lms.core.tasks): `lms worker` consumes them, `make run` starts it.
TASK_QUEUE_NAME = "lms"
TASK_QUEUE_FILE = "tasks.sqlite3"  # under instance/ unless absolute; unused with REDIS_URL
TASK_WORKERS = 2  # threads of one `lms worker`
TASKS_IMMEDIATE = False  # True: every task runs at once in the process that queued it, after its commit

# Login throttling, per client address and per account (Redis when REDIS_URL is set).
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "5 per minute"
# Requests a minute each API token may make (429 beyond, with Retry-After).
API_TOKEN_RATE_LIMIT = "600 per minute"

# Languages
BABEL_DEFAULT_LOCALE = "fr"
BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
LANGUAGES = ("fr", "en")

# UI
BOOTSTRAP_SERVE_LOCAL = True
BOOTSTRAP_BOOTSWATCH_THEME = None

# Plugins: names of plugins not to load (e.g. "reports" or an entry-point name).
DISABLED_PLUGINS = ()
# Modules to load as plugins besides the "lms.plugins" entry points ("a.b,c.d"), on every web
# host and worker alike.
PLUGIN_MODULES = ()

# Reverse proxies in front of the app (LMS_PROXY_FIX=1: one) whose X-Forwarded-For/-Proto/-Host/
# -Port/-Prefix headers are trusted, so absolute links use the public URL. 0: none (reached directly).
PROXY_FIX = 0

# Uploads
MAX_CONTENT_LENGTH = 16 * 1024 * 1024

# Uploads waiting for a confirmation and application documents live in the shared storage
# (lms.core.storage: the database), never on one host's disk.
# Catalogue uploads (admin pages): size limit, lifetime of a preview waiting for confirmation.
CATALOG_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
CATALOG_UPLOAD_TTL = 3600

# Applications: PDF documents, kept in the shared storage. APPLICATION_DOCUMENT_FOLDER is only read
# by the migration that moves the files of older versions into the database (default:
# <instance>/application-documents).
APPLICATION_DOCUMENT_FOLDER = None
APPLICATION_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024

# E-mail notifications: sent through this SMTP server after the commit. Without a host they are
# written as .eml files into MAIL_FOLDER (relative to the instance folder; None: dropped).
SMTP_HOST = None
MAIL_FOLDER = "mail"
SMTP_PORT = 25
SMTP_TIMEOUT = 5
MAIL_FROM = "lms <no-reply@localhost>"
PUBLIC_URL = "http://127.0.0.1:5000"  # prefix of links in e-mails

# One-time links to choose a password (forgotten password, new accounts), sent by e-mail.
PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
ACCOUNT_WELCOME_MAX_AGE = timedelta(days=3)
# Links asked for one e-mail address (forgotten password, sign-up); per client address: LOGIN_RATE_LIMIT.
PASSWORD_LINK_RATE_LIMIT = "3 per hour"

# Single sign-on through OpenID Connect (lms.accounts.sso), on when LMS_OIDC_ISSUER and
# LMS_OIDC_CLIENT_ID are set: the login page shows "Log in with <OIDC_NAME>". The provider's
# discovery document is read from OIDC_DISCOVERY_URL (default: <issuer>/.well-known/openid-configuration)
# and, like its keys (JWKS), cached OIDC_CACHE_SECONDS in each process. The redirect URI to register
# at the provider is <public URL>/login/sso/callback.
OIDC_ISSUER = None
OIDC_CLIENT_ID = None
OIDC_CLIENT_SECRET = None  # None: a public client (PKCE alone)
OIDC_NAME = None  # the institution's name on the button (default: the issuer)
OIDC_DISCOVERY_URL = None
OIDC_SCOPES = "openid email profile"
# Accounts are linked by the provider's stable subject (issuer + sub). A first login without a
# linked account: link the account with the provider's *verified* e-mail address (OIDC_LINK_BY_EMAIL),
# else create one (OIDC_CREATE_ACCOUNTS), else refuse.
OIDC_CREATE_ACCOUNTS = False
OIDC_LINK_BY_EMAIL = False
# Roles from a claim (a string or a list; a dotted path reaches into objects, e.g. realm_access.roles):
# OIDC_ROLE_MAP = "student=learner,faculty=tutor,staff=admin" ("a=tutor+director": several roles).
# Mapped roles an account lacks are granted at each login; none is taken away.
OIDC_ROLE_CLAIM = None
OIDC_ROLE_MAP = ""
OIDC_TIMEOUT = 5  # seconds for each request to the provider
OIDC_LEEWAY = 60  # seconds of clock difference allowed on the ID token's times
OIDC_CACHE_SECONDS = 3600
# Roles whose members must log in through single sign-on ("admin,tutor"): the password form, the
# forgotten-password links and password resets refuse them.
LOCAL_LOGIN_DISABLED_ROLES = ""
