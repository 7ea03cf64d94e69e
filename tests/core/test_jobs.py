"""Background jobs: a row per job, enqueued on commit, claimed once, swept."""
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.models import Job

pytestmark = pytest.mark.django_db

CALLS = []


@jobs.job_function("tests.count", time_limit=5, max_attempts=2)
def count_job(*, job, upto: int):
    for n in range(1, upto + 1):
        CALLS.append(n)
        jobs.job_progress(job, done=n, total=upto, message=f"{n} of {upto}")
    return {"counted": upto}


@jobs.job_function("tests.boom", max_attempts=1)
def boom_job(*, job):
    raise ValueError("it broke")


FLAKY = {"failures_left": 0}


@jobs.job_function("tests.flaky", max_attempts=3)
def flaky_job(*, job):
    if FLAKY["failures_left"]:
        FLAKY["failures_left"] -= 1
        raise OSError("the database went away")
    return {"ok": True}


@jobs.job_function("tests.rename_country")
def rename_country_job(*, job, iso2: str, name: str):
    from institutes.models import Country

    country = Country.objects.get(iso2=iso2)
    country.name_en = name
    country.save()


def test_a_job_is_written_in_the_callers_transaction_and_enqueued_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            job = jobs.job_enqueue(name="tests.count", kwargs={"upto": 2})
    assert job.status == Job.Status.PENDING and job.time_limit == 5
    # A named callable, not a partial: Django's robust handler logs its __qualname__.
    assert [type(callback).__qualname__ for callback in callbacks] == ["JobDispatch"]


def test_a_job_rolled_back_with_its_caller_never_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            jobs.job_enqueue(name="tests.count", kwargs={"upto": 2})
            raise RuntimeError
    assert callbacks == [] and not Job.objects.exists()


def test_only_registered_jobs_can_be_asked_for():
    with pytest.raises(LookupError):
        jobs.job_enqueue(name="os.system", kwargs={"command": "true"})


def test_a_job_runs_once_reports_progress_and_keeps_its_result():
    CALLS.clear()
    job = Job.objects.create(name="tests.count", kwargs={"upto": 3})
    done = jobs.job_run(job_id=job.pk)
    assert done.status == Job.Status.DONE and done.result == {"counted": 3} and done.attempts == 1
    assert (done.progress_done, done.progress_total, done.percent, done.progress_message) == (3, 3, 100, "3 of 3")
    assert jobs.job_run(job_id=job.pk) is None
    assert CALLS == [1, 2, 3]


def test_a_failing_job_is_marked_failed_with_its_error_and_the_admin_retries_it(client_as, django_capture_on_commit_callbacks):
    job = Job.objects.create(name="tests.boom", max_attempts=1)
    assert jobs.job_run(job_id=job.pk).status == Job.Status.FAILED
    job.refresh_from_db()
    assert "ValueError: it broke" in job.last_error
    with django_capture_on_commit_callbacks():
        response = client_as("admin").post(
            "/en/admin/core/job/", {"action": "retry", "_selected_action": [job.pk]}, follow=True
        )
    assert "1 failed job will run again." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.attempts == 0


def test_the_sweep_enqueues_jobs_the_broker_never_took_and_times_out_stuck_ones(django_capture_on_commit_callbacks):
    CALLS.clear()
    never_taken = Job.objects.create(name="tests.count", kwargs={"upto": 1})
    recently_taken = Job.objects.create(name="tests.count", kwargs={"upto": 1}, enqueued_at=timezone.now())
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = Job.objects.create(name="tests.count", kwargs={"upto": 1}, status="running", attempts=1, started_at=long_ago, time_limit=5)
    dead = Job.objects.create(name="tests.count", kwargs={"upto": 1}, status="running", attempts=2, max_attempts=2, started_at=long_ago, time_limit=5)
    outcome = jobs.jobs_sweep()
    assert outcome["timed_out"] == 1 and outcome["failed"] == 1
    for job in (never_taken, recently_taken, stuck, dead):
        job.refresh_from_db()
    assert dead.status == Job.Status.FAILED and "Timed out" in dead.last_error
    assert recently_taken.status == Job.Status.PENDING
    # In-process tasks ran what the sweep enqueued; with a broker, the worker does.
    assert outcome["enqueued"] == 2
    assert {never_taken.status, stuck.status} <= {Job.Status.DONE, Job.Status.PENDING}


def test_a_job_that_fails_for_a_moment_is_tried_again_by_the_sweep_and_then_done(django_capture_on_commit_callbacks):
    from django.test import override_settings

    FLAKY["failures_left"] = 1
    job = Job.objects.create(name="tests.flaky")
    first = jobs.job_run(job_id=job.pk)
    assert first.status == Job.Status.PENDING and "the database went away" in first.last_error
    # Not at once: the sweep hands it over again after JOB_REQUEUE_AFTER.
    assert jobs.jobs_sweep()["enqueued"] == 0
    with override_settings(JOB_REQUEUE_AFTER=0):
        assert jobs.jobs_sweep(now=timezone.now() + timedelta(seconds=1))["enqueued"] == 1
    job.refresh_from_db()
    if job.status == Job.Status.PENDING:  # a broker took it; run it here
        jobs.job_run(job_id=job.pk)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"ok": True} and job.attempts == 2


def test_what_a_job_changes_is_recorded_as_the_work_of_who_asked(demo, user_named):
    from institutes.models import Country

    secretariat = user_named("secretariat")
    job = Job.objects.create(name="tests.rename_country", kwargs={"iso2": "KG", "name": "Kyrgyz Republic"}, requested_by=secretariat)
    assert jobs.job_run(job_id=job.pk).status == Job.Status.DONE
    latest = Country.history.filter(iso2="KG").order_by("-history_date").first()
    assert latest.name_en == "Kyrgyz Republic" and latest.history_user == secretariat


@pytest.mark.django_db(transaction=True)
def test_a_failing_hand_over_to_the_broker_is_logged_and_the_callers_work_is_kept(monkeypatch, caplog):
    """Django's robust on_commit handler names a failing callback by its
    __qualname__: the callback must have one, or the request fails after
    its work was committed."""
    def broken(ids):
        raise RuntimeError("the broker is in a bad way")

    monkeypatch.setattr(jobs, "jobs_dispatch", broken)
    with transaction.atomic():
        job = jobs.job_enqueue(name="tests.count", kwargs={"upto": 1})
    assert Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).exists()
    assert "JobDispatch([" in caplog.text and "the broker is in a bad way" in caplog.text
