"""Production refuses to start on the public development key."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _start(**variables) -> subprocess.CompletedProcess:
    # A clean environment: nothing the test session itself set.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "ceems_portal.settings", **variables}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_without_a_secret_key_refuses_to_start():
    result = _start(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "django-insecure" not in result.stdout


def test_production_with_an_empty_secret_key_refuses_to_start():
    result = _start(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_starts_with_its_key():
    result = _start(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 60


def test_the_embedded_mode_still_starts_without_a_key():
    # `make run` sets DJANGO_DEBUG=1 and nothing else.
    result = _start(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure")
