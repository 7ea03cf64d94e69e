"""
Settings of the CEEMS Programme Portal, read from the environment.

With nothing set they give the embedded default: SQLite next to the code,
Celery tasks run in-process, emails printed to the console. Production sets
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL;
README.md lists every variable with its default.
"""
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The development key is public (it is in this file): only the embedded mode
# (DJANGO_DEBUG=1, `make run`) may fall back on it. In production a missing
# key stops the portal at start-up instead of signing sessions and password
# reset links with a key everybody knows.
_DEVELOPMENT_SECRET_KEY = "django-insecure-embedded-default-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random secret key: "
            "set DJANGO_SECRET_KEY in the environment (docker-compose reads it from .env), "
            "or set DJANGO_DEBUG=1 to run the embedded development mode."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("PORTAL_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "core.apps.AxesConfig",  # django-axes, named in the user's language
    "csp",
    "django_filters",
    "django_htmx",
    "import_export",
    "simple_history",
    "rules",
    "core",
    "institutes",
    "surveys",
    "programme",
    "taskgroup",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ceems_portal.urls"
WSGI_APPLICATION = "ceems_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation_menu",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "institutes.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    # The portal's permissions: rules in each app's permissions.py.
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the user of each request and their
    # roles with one plain SQL statement.
    "institutes.backends.PortalModelBackend",
]
# Django's database sessions, read together with their user (institutes/sessions.py).
SESSION_ENGINE = "institutes.sessions"
# On PostgreSQL that read is a prepared statement, once per connection; turn
# it off behind a pooler that shares server connections (PgBouncer in
# transaction mode), where a prepared statement does not follow the client.
SESSION_READ_PREPARED = env.bool("DATABASE_PREPARED_SESSION_READ", default=True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Throttle failed logins per username at one address, so one person mistyping
# never locks out colleagues elsewhere, and per address across usernames, so
# trying many names from one address is throttled too (institutes/throttle.py);
# both locks cool off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "institutes.throttle.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# Behind the TLS proxy production needs, every request comes from the proxy's
# address: the client's is read from X-Forwarded-For, the entry this many
# proxies from the right (docker-compose.yml sets 1). 0: REMOTE_ADDR, for a
# portal reached directly (the embedded mode).
PORTAL_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "institutes.throttle.client_address"
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ceems_portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Minsk")
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ru", "en")}

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CEEMS Portal <noreply@ceems.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that does not answer must not hold a worker for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The outbox (core.outbox): backoff between attempts doubles from
# OUTBOX_RETRY_BASE up to OUTBOX_RETRY_MAX seconds; a temporary failure is
# retried up to OUTBOX_MAX_ATTEMPTS times, a permanent (5xx) refusal up to
# OUTBOX_MAX_PERMANENT_ATTEMPTS; a row still "sending" after OUTBOX_LEASE
# seconds is taken back by the sweep; a pending row the broker took more
# than OUTBOX_REQUEUE_AFTER seconds ago is enqueued again.
OUTBOX_RETRY_BASE = env.int("OUTBOX_RETRY_BASE", default=60)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_MAX_PERMANENT_ATTEMPTS = env.int("OUTBOX_MAX_PERMANENT_ATTEMPTS", default=3)
OUTBOX_LEASE = env.int("OUTBOX_LEASE", default=600)
OUTBOX_REQUEUE_AFTER = env.int("OUTBOX_REQUEUE_AFTER", default=120)

# --- Celery -----------------------------------------------------------------
# No broker configured means the embedded mode: tasks run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A Redis that drops packets instead of refusing them must not hold a request:
# the publish on commit gives up after a few seconds and the sweep retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
CELERY_TIMEZONE = TIME_ZONE
# Jobs (core.jobs): a pending job the broker took more than this many
# seconds ago and no worker started, or one whose last attempt failed with
# attempts left, is enqueued again by the sweep.
JOB_REQUEUE_AFTER = env.int("JOB_REQUEUE_AFTER", default=120)
CELERY_BEAT_SCHEDULE = {
    "core-sweep": {"task": "core.tasks.sweep", "schedule": 60},
    "survey-reminders": {"task": "surveys.tasks.send_due_reminders", "schedule": 60 * 60},
    "purge-stale-uploads": {"task": "surveys.tasks.purge_stale_uploads", "schedule": 60 * 60},
    "taskgroup-action-reminders": {"task": "taskgroup.tasks.send_action_reminders", "schedule": 60 * 60},
}

# --- Security ---------------------------------------------------------------
# Secure by default; the embedded mode (DJANGO_DEBUG=1) runs over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Only the portal's own origin: Bootstrap and htmx are vendored under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Uploaded spreadsheets and files: refuse oversized requests early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Third-party apps -------------------------------------------------------
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Exports escape formula-like cells themselves (core.spreadsheets):
# the library's own escaping only handles a leading "=".
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
PORTAL_PAGE_SIZE = 25
