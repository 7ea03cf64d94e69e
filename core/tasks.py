"""Celery tasks of the core: run a job, send an email, sweep both.

Each takes ids, loads its row, calls a service and is safe to run twice:
the services claim their row with a conditional update first."""
from celery import shared_task

from . import jobs, outbox


@shared_task(time_limit=3600, soft_time_limit=3540, acks_late=True)
def job_run(job_id: int) -> str | None:
    """Run the Job `job_id` (see core.jobs.job_run). The time limits given
    here are the ceiling; job_enqueue passes each job's own. Returns the
    job's final status, or None if another run had it."""
    job = jobs.job_run(job_id=job_id)
    return job.status if job else None


@shared_task(time_limit=90, soft_time_limit=75, acks_late=True)
def outbox_send(message_id: int) -> str:
    """Send the outbox row `message_id` once (see core.outbox.outbox_send).
    Never raises for a mail-server error: the row records it and the sweep
    retries with backoff, so a Celery retry never multiplies an email."""
    return outbox.outbox_send(message_id=message_id)


@shared_task(time_limit=120, soft_time_limit=100)
def sweep() -> dict:
    """Run by Celery beat every minute: enqueue the jobs and emails a broker
    outage left pending, take back stuck jobs and emails. Safe to run twice
    at once."""
    return {"jobs": jobs.jobs_sweep(), "outbox": outbox.outbox_sweep()}
