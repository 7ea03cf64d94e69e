"""What changes an annual report: its narrative parts, the PDFs asked for,
the version marked as submitted. Every write checks nothing about who asks
(the views and the command ask reports.permissions) and everything about
what is asked."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import revision_claim
from core.errors import PortalError
from core.jobs import job_enqueue

from .models import AnnualReport, ReportLanguage, ReportVersion
from .sanitize import narrative_clean

RENDER_JOB = "reports.render"

NARRATIVE_FIELDS = ("basis", "summary", "conclusions", "proposals")

REPORT_CHANGED = _(
    "Somebody else saved this report after you opened it. Your changes were not saved; "
    "the page now shows the latest version. Please enter your changes again."
)
NO_LANGUAGE = _("Choose Russian, English or both.")
VERSION_NOT_READY = _("Only a generated PDF can be marked as submitted to the Committee.")
YEAR_OUT_OF_RANGE = _("Enter a year from 2000 to 2100.")


def report_for_year(*, year: int) -> AnnualReport:
    """The report of `year`, created empty the first time it is asked for."""
    if not 2000 <= year <= 2100:
        raise PortalError(YEAR_OUT_OF_RANGE, code="year")
    report, _created = AnnualReport.objects.get_or_create(year=year)
    return report


@transaction.atomic
def report_save(*, report: AnnualReport, revision: int | None, document_number: str, texts: dict[str, str],
                by=None) -> AnnualReport:
    """Save the document number and the narrative parts (`texts`: field name
    with its language suffix, e.g. "summary_ru", to the typed text). Each
    text is sanitised to the HTML the PDF can show before it is validated.
    Raises ConflictError when somebody saved since `revision`."""
    report.document_number = document_number.strip()
    for name, value in texts.items():
        base = name.rsplit("_", 1)[0]
        if base not in NARRATIVE_FIELDS:
            raise ValueError(f"Not a narrative field: {name}")
        setattr(report, name, narrative_clean(value))
    report.full_clean()
    revision_claim(report, revision=revision, message=REPORT_CHANGED)
    report.save()
    return report


@transaction.atomic
def report_generate(*, report: AnnualReport, languages: list[str], by=None) -> list[ReportVersion]:
    """Ask for the PDF of `report` in each of `languages`: one new version and
    one background job per language, written in this transaction and handed
    to the broker on commit (a broker that is down leaves the jobs pending
    for the sweep; the request succeeds). Never touches an earlier version."""
    languages = [language for language in ReportLanguage.values if language in set(languages)]
    if not languages:
        raise ValidationError({"languages": NO_LANGUAGE})
    # Numbers are taken under the report's row lock: two people asking at
    # once get consecutive numbers, not a clash.
    AnnualReport.objects.select_for_update().filter(pk=report.pk).first()
    last = report.versions.aggregate(last=Max("number"))["last"] or 0
    versions = []
    for offset, language in enumerate(languages, start=1):
        version = ReportVersion.objects.create(
            report=report, number=last + offset, language=language,
            requested_by=by if by is not None and by.is_authenticated else None,
        )
        version.job = job_enqueue(name=RENDER_JOB, kwargs={"version_id": version.pk}, by=by)
        version.save(update_fields=["job"])
        versions.append(version)
    return versions


@transaction.atomic
def version_mark_submitted(*, version: ReportVersion, by=None) -> ReportVersion:
    """Mark `version` as the one submitted to the Committee (and no other
    version of its report). Only a generated PDF can be."""
    if not version.file:
        raise PortalError(VERSION_NOT_READY, code="not_ready")
    list(ReportVersion.objects.select_for_update().filter(report=version.report_id).values_list("pk", flat=True))
    for other in ReportVersion.objects.filter(report=version.report_id, submitted=True).exclude(pk=version.pk):
        other.submitted, other.submitted_by, other.submitted_at = False, None, None
        other.save(update_fields=["submitted", "submitted_by", "submitted_at"])
    version.submitted = True
    version.submitted_by = by if by is not None and by.is_authenticated else None
    version.submitted_at = timezone.now()
    version.save(update_fields=["submitted", "submitted_by", "submitted_at"])
    return version


def store_atomically(name: str, content: bytes) -> str:
    """Store `content` under exactly `name` (replacing what a crashed earlier
    attempt may have left under that name) so that no reader ever sees a
    partial file: on the file system it is written to a temporary file in the
    same folder, flushed to disk, then renamed over `name` (an atomic rename);
    another storage gets the whole bytes in one call. Returns `name`."""
    try:
        final = Path(default_storage.path(name))
    except NotImplementedError:
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, ContentFile(content))
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".pdf", dir=final.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def version_render(*, version: ReportVersion, progress=None, limit: int | None = None) -> ReportVersion:
    """Render `version` and store its file; safe to run again. A version that
    already has its file is left as it is. The file's name is fixed by the
    version, and the row names it only after the whole file is in place, so
    a run killed half-way leaves no file that anybody can download, and a
    second run writes the same one file."""
    from .rendering import report_html, pdf_from_html, time_limit

    if version.file:
        return version
    say = progress or (lambda step, message: None)
    with time_limit(limit):
        say(1, _("Collecting the year's data"))
        html = report_html(year=version.report.year, language=version.language, report=version.report)
        say(2, _("Laying out the pages"))
        rendered = pdf_from_html(html)
    say(3, _("Saving the file"))
    name = store_atomically(f"reports/{version.report.year}/{version.file_name()}", rendered.content)
    ReportVersion.objects.filter(pk=version.pk, file="").update(
        file=name, size=len(rendered.content), pages=rendered.pages,
        sha256=hashlib.sha256(rendered.content).hexdigest(), rendered_at=timezone.now(),
    )
    version.refresh_from_db()
    return version
