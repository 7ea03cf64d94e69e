"""What changes a Programme: its versions and activities. Matching's side
(running the engine, deciding proposals) is in `programme.matching_services`.
"""
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import PortalError

from .models import Programme, ProgrammeVersion


def programme_for_year(year: int) -> Programme | None:
    """The Programme whose period covers `year` (the latest-starting one if
    several do), or None."""
    return Programme.objects.filter(first_year__lte=year, last_year__gte=year).order_by("-first_year", "-pk").first()


@transaction.atomic
def version_draft_for_year(*, year: int, by=None) -> ProgrammeVersion:
    """The draft (or in-consultation) version of `year` that new activities
    go into: the latest not yet approved version of the year, created as a
    new draft if the year has none or only approved or published ones.
    Raises PortalError when no Programme covers the year."""
    programme = programme_for_year(year)
    if programme is None:
        raise PortalError(_("No Programme covers %(year)s. Create one first.") % {"year": year})
    versions = ProgrammeVersion.objects.select_for_update().filter(programme=programme, year=year).order_by("-number")
    latest = versions.first()
    open_states = (ProgrammeVersion.Status.DRAFT, ProgrammeVersion.Status.CONSULTATION)
    if latest is not None and latest.status in open_states:
        return latest
    return ProgrammeVersion.objects.create(
        programme=programme,
        year=year,
        number=(latest.number + 1) if latest else 1,
        based_on=latest,
        created_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
    )
