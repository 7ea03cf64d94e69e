"""Who made a change, for django-simple-history.

In a request, simple_history's HistoryRequestMiddleware records the
logged-in user on every historical row written during the request: views and
services never set it. Outside a request (a Celery task, a management
command, a shell, a test calling a service), wrap the work in `acting_as`:

    with acting_as(job.requested_by):
        campaign_close(campaign=campaign, by=job.requested_by)

Everything saved inside the block is recorded as done by that user (None:
by the system). Blocks nest, and the previous user (a request's) comes back
on exit. Bulk writes (`bulk_create_with_history`) take the user as their
`default_user` argument instead.
"""
from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

_NOTHING = object()


@contextmanager
def acting_as(user):
    """Record `user` as the author of every history row written inside."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", _NOTHING)
    # simple_history reads `context.request.user`; a stand-in request is enough.
    context.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield user
    finally:
        if previous is _NOTHING:
            try:
                del context.request
            except AttributeError:
                pass
        else:
            context.request = previous


def history_user():
    """The user history rows written now are recorded with, or None."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None
