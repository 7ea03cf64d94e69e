"""The annual report to the COOMET Committee: one report per year with its
narrative parts in Russian and English, and every PDF generated from it.

A report (`AnnualReport`) holds what people write: the document number, the
basis (resolutions and decisions), the summary, the conclusions and the
proposals to the Committee, each in both languages (modeltranslation). The
rest of the report is read from the portal's data when it is rendered.

Each PDF asked for is a `ReportVersion`: a number within the report, its
language, who asked and when, the background job that renders it and, once
the job is done, its file. A version is never rendered twice into another
file and a new one never overwrites an earlier one; one version of a report
may be marked as the one submitted to the Committee.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutes.models import Role
from surveys.models import limited_text

NARRATIVE_MAX_LENGTH = 20000
BASIS_MAX_LENGTH = 5000


class ReportLanguage(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


class AnnualReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AnnualReportQuerySet":
        """The Secretariat, the task group and the Committee see every report;
        nobody else sees any."""
        if user.is_authenticated and user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
            return self
        return self.none()


class AnnualReport(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    document_number = models.CharField(
        _("document number"), max_length=50, blank=True,
        help_text=_("The Committee's number of the document, e.g. COOMET-34-PS/13."),
    )
    basis = models.TextField(
        _("basis"), blank=True, **limited_text(BASIS_MAX_LENGTH),
        help_text=_("The resolutions and decisions the task group works under."),
    )
    summary = models.TextField(_("summary"), blank=True, **limited_text(NARRATIVE_MAX_LENGTH))
    conclusions = models.TextField(_("conclusions"), blank=True, **limited_text(NARRATIVE_MAX_LENGTH))
    proposals = models.TextField(_("proposals to the Committee"), blank=True, **limited_text(NARRATIVE_MAX_LENGTH))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    objects = AnnualReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1990, year__lte=2100), name="annual_report_year_sane"),
        ]

    def __str__(self) -> str:
        return _("Annual report %(year)s") % {"year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.year])


class ReportVersionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportVersionQuerySet":
        return self.filter(report__in=AnnualReport.objects.visible_to(user))


class ReportVersion(models.Model):
    """One PDF asked for: kept for good, whatever is generated after it."""

    report = models.ForeignKey(
        AnnualReport, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report")
    )
    number = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("asked for by"),
    )
    requested_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set once, by the job, after the whole file is in place.
    file = models.FileField(_("file"), upload_to="reports/", max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    submitted = models.BooleanField(_("submitted to the Committee"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("marked as submitted by"),
    )
    submitted_at = models.DateTimeField(_("marked as submitted at"), null=True, blank=True)

    objects = ReportVersionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file", "size", "pages", "sha256", "rendered_at", "job"])

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(submitted=True), name="report_one_submitted_version"
            ),
        ]

    def __str__(self) -> str:
        return _("%(report)s, version %(number)s (%(language)s)") % {
            "report": self.report, "number": self.number, "language": self.get_language_display(),
        }

    def get_download_url(self) -> str:
        return reverse("reports:version_download", args=[self.report.year, self.number])

    @property
    def state(self) -> str:
        """What the page shows: "done" once the file is there, else the job's
        status ("pending", "running", "failed")."""
        if self.file:
            return "done"
        if self.job is None:
            return "failed"
        return self.job.status

    @property
    def in_progress(self) -> bool:
        return self.state in ("pending", "running")

    def file_name(self) -> str:
        """The name the file is stored and downloaded under, fixed for the
        version: a job that runs twice writes the same name, not two files."""
        return f"coomet-ceems-annual-report-{self.report.year}-v{self.number}-{self.language}.pdf"
