"""A broker outage on demand, for the tests that prove an outage delays work
and loses none.

Under CI (CI=true, the real stack) it is a private redis-server on a free
port that the test stops and starts again, and the work is then done by a
real Celery worker in a process of its own, consuming from that private
broker, against the same test database. The shared Redis of the suite is
never touched. Outside CI (SQLite, in-process tasks) the outage is honest
but simulated: the Celery app stops running tasks in-process and publishes
to a closed port, so every enqueue fails as it would with Redis down; "back"
restores in-process execution."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from ceems_portal.celery import app
from tests.mailserver import free_port

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI", "").lower() == "true"


def _reset_pools() -> None:
    """Make the app take its connection pools afresh for the current URL.
    Not closed: kombu keeps them in a registry per URL, which gives the same
    (still good) pools back when the URL is restored."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


class BrokerOutage:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # Publishing uses the write URL; CELERY_BROKER_URL in the environment
        # would win over broker_url, so the write URL is what a test changes.
        self.saved = (app.conf.get("broker_write_url"), app.conf.task_always_eager)
        self.redis = None
        self.worker = None

    # -- the broker -----------------------------------------------------------
    def _start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        from tests.conftest import _redis_reachable

        while not _redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.05)

    def _stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait(timeout=10)
            self.redis = None

    def go_down(self) -> None:
        """From now on every enqueue fails as with Redis down."""
        _reset_pools()
        app.conf.task_always_eager = False
        app.conf.broker_write_url = self.url
        if ON_CI:
            self._start_redis()  # so that it is really a Redis that goes away
            self._stop_redis()

    def come_back(self, *, smtp_port: int | None = None) -> None:
        """The broker answers again and (under CI) a real worker consumes
        from it; outside CI tasks run in-process again."""
        _reset_pools()
        if not ON_CI:
            app.conf.broker_write_url, app.conf.task_always_eager = self.saved
            return
        self._start_redis()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "CELERY_BROKER_URL": self.url,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "TEST_SMTP_PORT": str(smtp_port or 25),
        }
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ceems_portal", "worker", "--pool=solo", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"outage-{self.port}@%h"],
            cwd=ROOT, env=env,
        )

    def close(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
            self.worker = None
        self._stop_redis()
        _reset_pools()
        app.conf.broker_write_url, app.conf.task_always_eager = self.saved
