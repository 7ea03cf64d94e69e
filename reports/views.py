"""The annual report's pages: the list by year, a year's report (narrative
parts, the PDFs asked for with their progress, downloads), its preview as a
web page, and the actions (save, generate, mark as submitted)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.views import form_errors, handles_portal_errors
from institutes.permissions import permission_required

from . import selectors, services
from .forms import GenerateForm, ReportForm, YearForm
from .models import AnnualReport, ReportVersion
from .rendering import report_context


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _report_or_new(request, year: int) -> AnnualReport:
    """The year's report; for who may prepare it, an unsaved empty one when
    none exists yet (saving or generating creates it). Readers get 404."""
    report = AnnualReport.objects.visible_to(request.user).filter(year=_year(year)).first()
    if report is None:
        if not request.user.has_perm("reports.prepare_report"):
            raise Http404
        report = AnnualReport(year=year)
    return report


def report_url(request, year: int, **kwargs) -> str:
    return reverse("reports:report_detail", args=[year])


@permission_required("reports.view_report")
def report_list(request):
    year_form = YearForm(request.GET or None)
    if request.GET and year_form.is_valid() and request.user.has_perm("reports.prepare_report"):
        return redirect("reports:report_detail", year_form.cleaned_data["year"])
    return render(request, "reports/report_list.html", {
        "reports": selectors.reports_for_list(user=request.user), "year_form": year_form,
    })


def _detail_context(request, report: AnnualReport, **extra) -> dict:
    versions = selectors.report_versions(report=report) if report.pk else []
    return {
        "report": report,
        "year": report.year,
        "versions": versions,
        "polling": any(v.in_progress for v in versions),
        "form": ReportForm(instance=report),
        "generate_form": GenerateForm(),
        **extra,
    }


@permission_required("reports.view_report")
def report_detail(request, year: int):
    report = _report_or_new(request, year)
    return render(request, "reports/report_detail.html", _detail_context(request, report))


@permission_required("reports.view_report")
def report_versions(request, year: int):
    """The versions table alone: what the page polls (htmx) while a PDF is
    being made, until every version is done or failed."""
    report = get_object_or_404(AnnualReport.objects.visible_to(request.user), year=_year(year))
    versions = selectors.report_versions(report=report)
    return render(request, "reports/_versions.html", {
        "report": report, "versions": versions, "polling": any(v.in_progress for v in versions),
    })


@permission_required("reports.prepare_report")
@handles_portal_errors(redirect_to=report_url)
def report_edit(request, year: int):
    report = _report_or_new(request, year)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            if report.pk is None:
                report = services.report_for_year(year=year)
                revision = report.revision
            else:
                revision = revision_from(request.POST)
            services.report_save(
                report=report, revision=revision, document_number=form.cleaned_data["document_number"],
                texts=form.texts(), by=request.user,
            )
            messages.success(request, _("The report has been saved."))
            return redirect("reports:report_detail", year)
    return render(request, "reports/report_detail.html", {**_detail_context(request, report), "form": form})


@require_POST
@permission_required("reports.prepare_report")
@handles_portal_errors(redirect_to=report_url)
def report_generate(request, year: int):
    report = _report_or_new(request, year)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/report_detail.html", {
            **_detail_context(request, report), "generate_form": form,
        }, status=400)
    if report.pk is None:
        report = services.report_for_year(year=year)
    versions = services.report_generate(report=report, languages=form.cleaned_data["languages"], by=request.user)
    messages.success(request, ngettext(
        "The PDF is being made; this page shows its progress.",
        "The %(count)s PDFs are being made; this page shows their progress.",
        len(versions),
    ) % {"count": len(versions)})
    return redirect("reports:report_detail", year)


@require_POST
@permission_required("reports.prepare_report")
@handles_portal_errors(redirect_to=report_url)
def version_submitted(request, year: int, number: int):
    version = get_object_or_404(
        ReportVersion.objects.visible_to(request.user).select_related("report"), report__year=_year(year), number=number
    )
    services.version_mark_submitted(version=version, by=request.user)
    messages.success(request, _("Version %(number)s is marked as the one submitted to the Committee.") % {
        "number": version.number,
    })
    return redirect("reports:report_detail", year)


@permission_required("reports.download_report")
def version_download(request, year: int, number: int):
    version = get_object_or_404(
        ReportVersion.objects.visible_to(request.user).select_related("report"), report__year=_year(year), number=number
    )
    if not version.file:
        raise Http404
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=version.file_name(), content_type="application/pdf")


@permission_required("reports.view_report")
def report_preview(request, year: int):
    """The report as a web page, in the language asked for (?lang=ru|en,
    the page's language by default): the same sections as the PDF."""
    report = _report_or_new(request, year)
    language = request.GET.get("lang")
    if language not in ("ru", "en"):
        language = translation.get_language()
    if not request.user.has_perm("reports.prepare_report") and report.pk is None:
        raise PermissionDenied
    with translation.override(language):
        context = report_context(year=year, language=language, report=report if report.pk else None)
        # Rendered inside the report's language; the page around it stays in the user's.
        from django.template.loader import render_to_string

        body = render_to_string("reports/_preview_body.html", context, request=request)
    return render(request, "reports/report_preview.html", {
        "report": report, "year": year, "body": body, "preview_language": language,
    })
