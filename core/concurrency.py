"""Optimistic concurrency: one revision number per thing people edit.

Whatever is edited in the browser (a survey response today, a Programme
activity or a meeting agenda tomorrow) has a positive integer field
`revision`. Every form that changes it posts the revision its page was loaded
with (`revision_from(request.POST)`), and the service claims the next
revision with one conditional UPDATE (`revision_claim`). Of two people who
loaded the same revision, the first to save wins; the second gets a
ConflictError whose message the view shows, and nothing of theirs is written
over the first person's work.

A write that carries no revision is refused the same way: a missing number is
never taken to mean "no check". Flows that change the thing without a form
(the spreadsheet import, the admin, submitting) call `revision_bump`, so that
any form still open on the old revision conflicts instead of overwriting.

Call both inside the service's transaction: the UPDATE takes the row lock,
so the claim and the writes that follow are one unit.
"""
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .errors import ConflictError

STALE = _(
    "Somebody else saved this after you opened it. Your changes were not saved; "
    "the page now shows the latest version. Please enter your changes again."
)


def revision_from(data: Mapping[str, Any], field: str = "revision") -> int | None:
    """The revision a form posted, or None when it is missing or not a number."""
    raw = data.get(field, "")
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def revision_claim(
    obj: models.Model,
    *,
    revision: int | None,
    message=STALE,
    touch: Mapping[str, Any] | None = None,
) -> int:
    """Claim the next revision of `obj` if it is still at `revision`.

    Raises ConflictError(`message`) when somebody saved since (or when no
    revision was given). `touch` sets other columns in the same UPDATE (an
    `updated_at`, say). Returns the new revision, also set on `obj`.
    """
    if revision is None:
        raise ConflictError(message, code="no_revision")
    claimed = (
        type(obj)
        ._base_manager.filter(pk=obj.pk, revision=revision)
        .update(revision=F("revision") + 1, **(touch or {}))
    )
    if claimed != 1:
        raise ConflictError(message, code="conflict")
    obj.revision = revision + 1
    for name, value in (touch or {}).items():
        setattr(obj, name, value)
    return obj.revision


def revision_bump(obj: models.Model, *, touch: Mapping[str, Any] | None = None) -> int:
    """Move `obj` to its next revision whatever it is now: for writes that do
    not come from a form (import, admin, submit), after which every form
    still open on an older revision must conflict. Returns the new revision."""
    model = type(obj)
    model._base_manager.filter(pk=obj.pk).update(revision=F("revision") + 1, **(touch or {}))
    obj.revision = model._base_manager.filter(pk=obj.pk).values_list("revision", flat=True).get()
    for name, value in (touch or {}).items():
        setattr(obj, name, value)
    return obj.revision
