"""Settings for the test suite: the normal settings, with what tests need changed.

Whether the suite runs on SQLite or PostgreSQL, in-process tasks or a real
Celery worker over Redis, still comes from the environment (DATABASE_URL,
CELERY_BROKER_URL), exactly as in production.
"""
from .settings import *  # noqa: F401,F403
from .settings import STORAGES

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
