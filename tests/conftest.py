"""Shared fixtures. Under CI=true the suite insists on the real stack:
PostgreSQL and Redis must be there, or every test errors out."""
import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

ON_CI = os.environ.get("CI", "").lower() == "true"


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def pytest_configure(config):
    if not ON_CI:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"CI=true but the database is {engine}; set DATABASE_URL to PostgreSQL.")
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://") or settings.CELERY_TASK_ALWAYS_EAGER:
        raise pytest.UsageError(f"CI=true but the Celery broker is {broker!r}; set CELERY_BROKER_URL to Redis.")
    if not _redis_reachable(broker):
        raise pytest.UsageError(f"CI=true but Redis at {broker} does not answer PING.")


@pytest.fixture
def demo(db):
    """The demo data of `manage.py demo`: named users such as `secretariat`, `nmi-kg`."""
    call_command("demo", force=True, verbosity=0)


@pytest.fixture
def user_named(demo, django_user_model):
    def get(username: str):
        return django_user_model.objects.get(username=username)

    return get


@pytest.fixture
def client_as(client, user_named):
    """A test client logged in as a demo user: `client_as("secretariat")`."""

    def login(username: str):
        client.force_login(user_named(username))
        return client

    return login


@pytest.fixture
def open_needs(demo):
    """The demo's open needs campaign of the current year (AM, KG, TJ, UZ invited)."""
    from django.utils import timezone

    from surveys.models import Campaign, CampaignKind

    return Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)


@pytest.fixture
def kg_response(open_needs, user_named):
    """Kyrgyzstandard's draft response to it."""
    from surveys.services import response_start

    user = user_named("nmi-kg")
    return response_start(campaign=open_needs, institute=user.institute, by=user)


@pytest.fixture(scope="session")
def celery_worker_thread(django_db_blocker):
    """A real Celery worker in a thread, consuming from the configured broker.
    Only meaningful with a broker (CI); in eager mode tasks run in-process."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    from ceems_portal.celery import app

    # Tasks left in the queue by an interrupted earlier run refer to rows that no longer exist.
    app.control.purge()
    with django_db_blocker.unblock():
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker


@pytest.fixture
def sent_mail(celery_worker_thread):
    """Wait for emails sent by background tasks: `sent_mail(count)` returns
    the outbox once it holds `count` messages (or after a timeout). With a
    broker the tasks run in the worker thread; without one, in-process."""
    import time

    from django.core import mail

    def wait(count: int, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while len(mail.outbox) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # let a task that would send too many do so, so the test sees it
        return mail.outbox

    return wait


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages a test computes outside a request read in English; a request
    to /ru/ leaves Russian active in the thread, which would leak into the
    next test's expectations otherwise."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
