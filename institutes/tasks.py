"""Background jobs of the institutes app."""
from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    time_limit=60,
    soft_time_limit=50,
)
def deliver_email(*, to: list[str], subject: str, body: str, html: str | None = None) -> int:
    """Send one already-rendered email (rendered in the recipient's language
    by the caller). Retries with backoff when the mail server is unreachable."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
