"""The annual report on the real stack (CI=true: PostgreSQL, Redis, a real
Celery worker in its own process): a worker killed with SIGKILL in the
middle of a render leaves no file, and the sweep's next attempt, on a new
worker, makes exactly one."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.jobs import jobs_sweep
from core.models import Job
from reports import services
from reports.models import ReportVersion
from tests.broker import ON_CI, ROOT, BrokerOutage

pytestmark = [
    pytest.mark.skipif(not ON_CI, reason="a real worker to kill exists only on the real stack (CI=true)"),
    pytest.mark.django_db(transaction=True),
]


def start_worker(outage: BrokerOutage, media_root) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "CELERY_BROKER_URL": outage.url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ceems_portal", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"report-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env,
    )


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


YEAR = 2091


def test_a_worker_killed_mid_render_leaves_no_file_and_a_new_worker_makes_exactly_one(demo, media_root):
    from reports.synth import programme_year

    # A year long enough that the render takes a while: time to kill it.
    # A year of its own: the demo's Programme already covers 2022.
    programme_year(year=YEAR, activities=1500)
    outage = BrokerOutage()
    workers = []
    try:
        outage.go_down()
        report = services.report_for_year(year=YEAR)
        (version,) = services.report_generate(report=report, languages=["en"])
        job = Job.objects.get(pk=version.job_id)
        assert job.status == Job.Status.PENDING

        outage.come_back()  # a private Redis (and a worker we stop at once: ours carries the media folder)
        outage.worker.terminate()
        outage.worker.wait(timeout=30)
        outage.worker = None
        workers.append(start_worker(outage, media_root))
        jobs_sweep()
        assert wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", progress_done__gte=1).exists())
        time.sleep(0.5)  # well inside WeasyPrint's layout
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=30)

        version.refresh_from_db()
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and not version.file
        folder = media_root / "reports" / str(YEAR)
        assert not folder.exists() or not any(folder.iterdir())

        later = timezone.now() + timedelta(seconds=job.time_limit + 120)
        assert jobs_sweep(now=later)["timed_out"] == 1
        workers.append(start_worker(outage, media_root))
        jobs_sweep(now=later)
        assert wait_for(lambda: Job.objects.filter(pk=job.pk, status="done").exists(), timeout=300)
        version.refresh_from_db()
        assert version.file and version.pages > 20
        assert [p.name for p in folder.iterdir()] == [version.file_name()]
        assert (folder / version.file_name()).read_bytes()[:5] == b"%PDF-"
        assert Job.objects.get(pk=job.pk).attempts == 2
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
        outage.close()
