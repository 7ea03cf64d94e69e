"""Background jobs: a Job row for every piece of background work.

A caller writes the row in its own transaction with `job_enqueue`; the row is
handed to Celery on commit. If the broker is down then, the failure is logged
and the row stays pending: `jobs_sweep` (Celery beat, every minute) enqueues
it again later, so an outage delays work and loses none. `job_run` claims the
row with a conditional update, so a job delivered twice runs once at a time.

A job may only run a function registered here with `@job_function("name")`;
the database names a registered job, never an import path.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .history import acting_as
from .models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: Callable[..., Any]
    time_limit: int
    max_attempts: int


_REGISTRY: dict[str, JobSpec] = {}
_discovered = False


def job_function(name: str, *, time_limit: int = 300, max_attempts: int = 3):
    """Register `function(*, job: Job, **kwargs)` as the job called `name`.
    Its return value (JSON) becomes the job's result. It must be safe to run
    again after a crash or a time-out: the sweep gives a stuck job another
    attempt."""

    def register(function):
        if name in _REGISTRY and _REGISTRY[name].function is not function:
            raise ValueError(f"Two job functions are registered as {name!r}.")
        _REGISTRY[name] = JobSpec(name, function, time_limit, max_attempts)
        return function

    return register


def job_spec(name: str) -> JobSpec:
    """The registered job `name`; apps register theirs in their tasks module."""
    global _discovered
    if name not in _REGISTRY and not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"No job is registered as {name!r}.") from None


def job_enqueue(*, name: str, kwargs: dict | None = None, by=None) -> Job:
    """Create a pending Job that runs the registered function `name` with
    `kwargs` (JSON), inside the caller's transaction, and hand it to Celery
    once that transaction commits. Never raises for a broker outage: the
    job stays pending and the sweep enqueues it later. Returns the job."""
    spec = job_spec(name)
    job = Job.objects.create(
        name=name,
        kwargs=kwargs or {},
        requested_by=by if by is not None and by.is_authenticated else None,
        time_limit=spec.time_limit,
        max_attempts=spec.max_attempts,
    )
    transaction.on_commit(JobDispatch([job.pk]), robust=True)
    return job


class AfterCommit:
    """An on-commit callback that hands rows (by id) to the broker. Not a
    functools.partial: when a callback fails, Django's robust on_commit
    handler names it by its `__qualname__`, which a partial, or an instance
    of an ordinary class, does not have; this one sets its own."""

    def __init__(self, ids: list[int]):
        self.ids = list(ids)
        self.__qualname__ = f"{type(self).__qualname__}({self.ids!r})"

    def __repr__(self) -> str:
        return self.__qualname__


class JobDispatch(AfterCommit):
    def __call__(self) -> int:
        return jobs_dispatch(self.ids)


def jobs_dispatch(job_ids: list[int]) -> int:
    """Publish a run task for each of `job_ids` and note when the broker took
    them. A broker error is logged and swallowed: the jobs stay pending with
    no `enqueued_at`, and the sweep tries again. Returns how many went out."""
    from .tasks import job_run as job_run_task

    stamp = timezone.now()
    published = []
    for job in Job.objects.filter(pk__in=job_ids, status=Job.Status.PENDING).only("pk", "time_limit"):
        try:
            job_run_task.apply_async(
                (job.pk,), time_limit=job.time_limit + 30, soft_time_limit=job.time_limit,
                retry=True, retry_policy=PUBLISH_RETRY,
            )
        except Exception:  # the broker: kombu raises several kinds
            logger.warning("Could not hand job %s to the broker; the sweep will retry.", job.pk, exc_info=True)
            break
        published.append(job.pk)
    if published:
        # Not over a later stamp: an in-process run that failed and set its
        # own, for the sweep's next attempt.
        Job.objects.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stamp), pk__in=published, status=Job.Status.PENDING
        ).update(enqueued_at=stamp)
    return len(published)


# One quick retry, then leave it to the sweep: a request must not hang on a dead broker.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def job_run(*, job_id: int) -> Job | None:
    """Run the job `job_id` if it is pending: claim it (pending -> running,
    one more attempt) with a conditional update, call its function, and mark
    it done with the result. An error gives it another attempt through the
    sweep while attempts remain, and marks it failed after the last. The
    function runs as `acting_as(job.requested_by)`. Returns the job, or
    None when there was nothing to claim (already running, finished, or
    gone), so running it twice is harmless."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, finished_at=None,
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    this_attempt = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
    try:
        # History written by the job is recorded as the work of who asked.
        with acting_as(job.requested_by):
            result = job_spec(job.name).function(job=job, **job.kwargs)
    except Exception as error:
        logger.exception("Job %s (%s) failed (attempt %s of %s).", job.pk, job.name, job.attempts, job.max_attempts)
        text = f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}"[:10000]
        if job.attempts < job.max_attempts:
            # Another attempt, not at once: the sweep hands it to the broker
            # again after JOB_REQUEUE_AFTER seconds (a deadlock, a mail
            # server or a database that was away may be back by then).
            this_attempt.update(status=Job.Status.PENDING, enqueued_at=timezone.now(), last_error=text)
        else:
            this_attempt.update(status=Job.Status.FAILED, finished_at=timezone.now(), last_error=text)
    else:
        # Only this attempt may finish the row: after a time-out the sweep
        # may have handed it to another worker.
        this_attempt.update(status=Job.Status.DONE, finished_at=timezone.now(), result=result)
    job.refresh_from_db()
    return job


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    """Report progress from inside a running job (`done` of `total`, with a
    short message); a progress page reads it from the row. Written at once,
    outside any transaction the job holds, so readers see it live."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    job.progress_message = str(message)[:255]
    Job.objects.filter(pk=job.pk).update(
        progress_done=job.progress_done, progress_total=job.progress_total, progress_message=job.progress_message
    )


@transaction.atomic
def job_retry(*, job: Job, by=None) -> bool:
    """Give a failed job a fresh set of attempts: back to pending, enqueued
    on commit. Returns False (and changes nothing) if it was not failed."""
    retried = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.PENDING, attempts=0, enqueued_at=None, finished_at=None
    )
    if retried:
        transaction.on_commit(JobDispatch([job.pk]), robust=True)
    return bool(retried)


def jobs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run by Celery beat every minute, safe to run at any time and twice at
    once. Enqueues jobs still pending that the broker never took, or took
    longer than JOB_REQUEUE_AFTER seconds ago; takes back jobs running past
    their time limit (plus a grace period): pending again while attempts
    remain, failed after the last. Returns counts per outcome."""
    now = now or timezone.now()
    requeue_after = timedelta(seconds=getattr(settings, "JOB_REQUEUE_AFTER", 120))
    grace = timedelta(seconds=60)
    timed_out = failed = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING).only("pk", "started_at", "time_limit", "attempts", "max_attempts"):
        if job.started_at and job.started_at + timedelta(seconds=job.time_limit) + grace < now:
            stuck = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
            error = "Timed out: still running after the job's time limit."
            if job.attempts < job.max_attempts:
                timed_out += stuck.update(status=Job.Status.PENDING, enqueued_at=None, last_error=error)
            else:
                failed += stuck.update(status=Job.Status.FAILED, finished_at=now, last_error=error)
    due = list(
        Job.objects.filter(status=Job.Status.PENDING)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    enqueued = jobs_dispatch(due) if due else 0
    return {"enqueued": enqueued, "timed_out": timed_out, "failed": failed}
