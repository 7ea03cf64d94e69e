"""Settings of the benchmark suite: the portal's production settings with
the few changes a local, plain-HTTP measurement needs, and a database of its
own, so a run never touches the development or the test database.

- DATABASE_URL pointing at PostgreSQL: database BENCH_DATABASE_NAME on the
  same server (the environment variable of that name, `ceems_bench` if it
  is unset; the runner creates it if it is missing);
- anything else: the SQLite file bench/data/bench.sqlite3 (git-ignored).
"""
import os

# Production settings refuse to start without a key; a benchmark run signs
# nothing that outlives it. setdefault: the web server it starts inherits it.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key-not-for-any-server-0123456789-abcdefghijklmn")

from ceems_portal.settings import *  # noqa: E402,F401,F403
from ceems_portal.settings import BASE_DIR, DATABASES, STORAGES, env  # noqa: E402

# From the environment first: two runs on one server (two branches) must not share it.
BENCH_DATABASE_NAME = env("BENCH_DATABASE_NAME", default="ceems_bench")
BENCH_SQLITE_PATH = BASE_DIR / "bench" / "data" / "bench.sqlite3"

if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES = {"default": {**DATABASES["default"], "NAME": BENCH_DATABASE_NAME}}
else:
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BENCH_SQLITE_PATH),
            "HOST": "",
            "PORT": "",
            "USER": "",
            "PASSWORD": "",
        }
    }

# Production behaviour (DEBUG off, persistent connections, the same
# middleware), minus what needs HTTPS or a real host name.
DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Pages are fetched without their static files, and no collectstatic runs:
# plain storage keeps {% static %} from needing a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: WhiteNoise would warn about a missing folder
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
