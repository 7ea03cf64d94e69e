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


def bulk_create_with_sql_history(objs, model, *, user, reason: str = "", batch_size: int = 500) -> list:
    """`model.objects.bulk_create(objs)` and the history row of each new row,
    as simple_history's `bulk_create_with_history` records them (type "+",
    `user`, `reason`, one time for all), but the history written by one
    INSERT ... SELECT per batch from the rows just stored instead of one
    Django object per row: for large imports, where building the history
    objects cost as much as the rows themselves (docs/performance.md).
    Needs the new rows' primary keys back from the database (PostgreSQL,
    SQLite 3.35+). Returns the created objects."""
    from django.db import connections, router
    from django.utils import timezone

    created = model.objects.bulk_create(objs, batch_size=batch_size)
    if not created:
        return created
    history_model = model.history.model
    db = router.db_for_write(history_model)
    connection = connections[db]
    quote = connection.ops.quote_name
    history_fields = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    tracked = [field.column for field in history_model._meta.concrete_fields if field.name not in history_fields]
    meta = history_model._meta
    columns = ", ".join(quote(column) for column in tracked)
    extra = ", ".join(
        quote(meta.get_field(name).column) for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    pk_column = quote(model._meta.pk.column)
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    user_id = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        for start in range(0, len(created), batch_size):
            ids = [obj.pk for obj in created[start : start + batch_size]]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}, {extra})"
                f" SELECT {columns}, %s, %s, '+', %s FROM {quote(model._meta.db_table)}"
                f" WHERE {pk_column} IN ({', '.join(['%s'] * len(ids))})",
                [when, reason, user_id, *ids],
            )
    return created
