"""The suite runs on the stack it claims: PostgreSQL and Redis under CI."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.mark.skipif(not ON_CI, reason="only CI promises PostgreSQL")
@pytest.mark.django_db
def test_ci_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.skipif(not ON_CI, reason="only CI promises Redis")
def test_ci_tasks_go_through_redis_to_a_worker():
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_embedded_default_is_sqlite_with_in_process_tasks():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "ceems_portal.settings"
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    # A clean production environment: nothing the test session itself set.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "ceems_portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x7#pQ2!vL9$wR4^tY6&uI8*oP0(aS3)dF5_gH1+jK-zX=cV%bN@mM~qW" * 2,
        "DJANGO_ALLOWED_HOSTS": "ceems.coomet.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_responses_carry_security_headers(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/ru/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/ru/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_healthz(client):
    assert client.get("/healthz/").content == b"ok"
