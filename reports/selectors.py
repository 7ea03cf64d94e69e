"""Reads of the annual reports, joined for their pages."""
from django.db.models import Prefetch, QuerySet

from .models import AnnualReport, ReportVersion


def reports_for_list(*, user) -> QuerySet[AnnualReport]:
    """Every report the user may see, newest year first, each with its
    versions (newest first) and their jobs: two queries whatever the count."""
    versions = ReportVersion.objects.select_related("job", "requested_by").order_by("-number")
    return AnnualReport.objects.visible_to(user).prefetch_related(Prefetch("versions", queryset=versions))


def report_versions(*, report: AnnualReport) -> list[ReportVersion]:
    return list(
        report.versions.select_related("job", "requested_by", "submitted_by", "report").order_by("-number")
    )
