"""The task group's periodic work: one reminder to each action item's owner
before it is due."""
from celery import shared_task

from . import services


@shared_task(name="taskgroup.tasks.send_action_reminders", time_limit=600, soft_time_limit=540)
def send_action_reminders() -> int:
    """Hourly from Celery beat. Idempotent: an item's `reminder_sent_at` and
    the outbox's unique key each make sure an owner is reminded once."""
    return services.action_reminders_send()
