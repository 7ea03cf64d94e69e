"""Settings for the test suite: the normal settings, with what tests need changed.

Whether the suite runs on SQLite or PostgreSQL, in-process tasks or a real
Celery worker over Redis, still comes from the environment (DATABASE_URL,
CELERY_BROKER_URL), exactly as in production.
"""
import os

# The suite runs with DEBUG off, as production does; production refuses to
# start without a key, so the tests bring their own (never used elsewhere).
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-not-for-any-server-0123456789-abcdefghijklmnop")

from .settings import *  # noqa: E402,F401,F403
from .settings import STORAGES  # noqa: E402

# The browser tests talk plain HTTP to a live test server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Serve static files from the app folders, without a collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
