"""The Secretariat's import of responses collected on paper or by email:
upload and dry run, confirm, and the templates to fill in.

Between the dry run and the confirmation the file is kept in the default
storage under a random token (surveys.importing.upload_keep); the session
only remembers which tokens this user uploaded, for which campaign. The
confirmation reads the file again and checks every row again before writing.
"""
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from institutes.permissions import permission_required

from ..forms_import import ImportUploadForm
from ..importing import (
    CHANGED_SINCE_DRY_RUN,
    UPLOAD_EXPIRED,
    ResponseImport,
    template_workbook,
    upload_discard,
    upload_keep,
    upload_open,
)
from ..models import Campaign, CampaignKind

SESSION_KEY = "surveys_imports"
# Dry runs a user may have pending at once; older ones are forgotten.
KEEP_PENDING = 5
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _remember(request, *, token: str, campaign: Campaign, filename: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {"campaign": campaign.pk, "filename": filename, "user": request.user.pk}
    request.session[SESSION_KEY] = dict(list(pending.items())[-KEEP_PENDING:])


def _forget(request, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def _preview(request, report, *, token=None):
    return render(request, "surveys/import_preview.html", {"report": report, "campaign": report.campaign, "token": token})


@permission_required("surveys.import_responses")
def import_upload(request):
    """GET: the upload form. POST: the dry run of the uploaded file."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial={"campaign": request.GET.get("campaign")})
    if request.method == "POST" and form.is_valid():
        campaign, upload = form.cleaned_data["campaign"], form.cleaned_data["file"]
        importer = ResponseImport(campaign=campaign, by=request.user, file=upload)
        report = importer.run(dry_run=True)
        if not report.file_errors:
            token = None
            if report.is_valid and report.has_changes:
                token = upload_keep(content=importer.content, filename=upload.name)
                _remember(request, token=token, campaign=campaign, filename=upload.name)
            return _preview(request, report, token=token)
        for problem in report.file_errors:
            form.add_error("file", problem.text)
    return render(request, "surveys/import_upload.html", {"form": form, "kinds": CampaignKind.choices})


@require_POST
@permission_required("surveys.import_responses")
def import_confirm(request, token: str):
    """Import the file of a dry run for real, all rows or none."""
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if pending is None or pending.get("user") != request.user.pk:
        raise Http404
    campaign = get_object_or_404(Campaign, pk=pending["campaign"])
    file = upload_open(token=token, filename=pending["filename"])
    if file is None:
        _forget(request, token)
        messages.error(request, UPLOAD_EXPIRED)
        return redirect(f"{reverse('surveys:import_upload')}?campaign={campaign.pk}")
    report = ResponseImport(campaign=campaign, by=request.user, file=file).run(dry_run=False)
    if not report.applied:
        messages.error(request, CHANGED_SINCE_DRY_RUN)
        return _preview(request, report, token=None)
    upload_discard(token=token, filename=pending["filename"])
    _forget(request, token)
    messages.success(request, report.done_message())
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@permission_required("surveys.import_responses")
def import_template(request, kind: str):
    """The XLSX to fill in for a campaign of `kind`, in the user's language."""
    if kind not in CampaignKind.values:
        raise Http404
    response = HttpResponse(template_workbook(kind=kind), content_type=XLSX_TYPE)
    filename = f"ceems-{kind.replace('_', '-')}-template-{translation.get_language()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
