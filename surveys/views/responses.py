"""The questionnaire pages. Every action is a plain form post that redirects
back to the response page; with htmx the same URLs answer with a partial
that is swapped in place."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.errors import ConflictError, PortalError
from institutes.models import Role
from institutes.permissions import role_required

from .. import selectors, services
from ..forms import ReopenForm, ResponseCommentForm, SelfClassificationForm, area_choices, item_form_class
from ..models import Campaign, CampaignKind, Response


def _revision(request) -> int | None:
    return revision_from(request.POST)


def _editable_response(request, pk: int) -> Response:
    """The response, if the user is a respondent of its institute; 404 otherwise."""
    response = selectors.response_for_page(user=request.user, pk=pk)
    if not (request.user.has_role(Role.RESPONDENT) and request.user.institute_id == response.institute_id):
        raise Http404
    return response


def _item(response: Response, item_pk: int):
    return get_object_or_404(response.campaign.item_model.objects.select_related("area", "subfield"), pk=item_pk, response=response)


def _general_form(response: Response, data=None):
    if response.campaign.kind == CampaignKind.SELF_CLASSIFICATION:
        return SelfClassificationForm(data, instance=response, prefix="response")
    return ResponseCommentForm(data, instance=response, prefix="response")


def _page_context(request, response: Response, *, general_form=None, item_forms=None, errors=None):
    """Everything the response page shows. `item_forms` maps item ids to bound
    forms to show in edit mode (e.g. after a failed submit)."""
    items = list(selectors.response_items(response=response))
    item_forms = item_forms or {}
    for item in items:
        # Only items being edited carry a form; the others are shown as text.
        item.form = item_forms.get(item.pk)
        item.editing = item.pk in item_forms
    return {
        "response": response,
        "campaign": response.campaign,
        "items": items,
        "general_form": general_form or _general_form(response),
        "can_edit": selectors.can_edit_response(user=request.user, response=response),
        "is_secretariat": request.user.has_role(Role.SECRETARIAT),
        "reopen_form": ReopenForm(),
        "submit_errors": errors or [],
    }


@require_POST
@login_required
def response_start(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if not (request.user.has_role(Role.RESPONDENT) and request.user.institute_id):
        raise Http404
    if not campaign.invitations.filter(institute_id=request.user.institute_id).exists():
        raise Http404
    try:
        response = services.response_start(campaign=campaign, institute=request.user.institute, by=request.user)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect(campaign)
    return redirect(response)


@login_required
def response_detail(request, pk: int):
    response = selectors.response_for_page(user=request.user, pk=pk)
    if request.method == "POST":
        response = _editable_response(request, pk)
        form = _general_form(response, request.POST)
        if form.is_valid():
            try:
                services.response_save(
                    response=response, revision=_revision(request), by=request.user, **form.cleaned_data
                )
                messages.success(request, _("Draft saved."))
                return redirect(response)
            except ConflictError as error:
                messages.error(request, error.message)
                return redirect(response)
            except PortalError as error:
                messages.error(request, error.message)
        return render(request, "surveys/response_detail.html", _page_context(request, response, general_form=form))
    item_forms = {}
    if request.GET.get("edit", "").isdigit() and selectors.can_edit_response(user=request.user, response=response):
        item = _item(response, int(request.GET["edit"]))
        item_forms[item.pk] = item_form_class(response.campaign.kind)(instance=item, prefix=f"item-{item.pk}")
    return render(request, "surveys/response_detail.html", _page_context(request, response, item_forms=item_forms))


def _back_to_response(request, response: Response):
    """Reload the whole response page (with its message): after a conflict
    the partial on screen no longer shows what is saved."""
    if request.htmx:
        reload = HttpResponse(status=200)
        reload["HX-Redirect"] = response.get_absolute_url()
        return reload
    return redirect(response)


def _render_item(request, response, item, form=None, editing=False, status=200):
    if form is None and editing:
        form = item_form_class(response.campaign.kind)(instance=item, prefix=f"item-{item.pk}")
    item.form = form
    item.editing = editing
    return render(
        request,
        "surveys/_item.html",
        {"item": item, "response": response, "can_edit": True, "campaign": response.campaign},
        status=status,
    )


@require_POST
@login_required
def item_add(request, pk: int):
    response = _editable_response(request, pk)
    try:
        item = services.item_add(response=response, revision=_revision(request), by=request.user)
    except PortalError as error:
        messages.error(request, error.message)
        return _back_to_response(request, response)
    if request.htmx:
        html = _render_item(request, response, item, editing=True)
        # The page's other forms must post the new revision.
        html["HX-Trigger"] = f'{{"revisionChanged": {response.revision}}}'
        return html
    return redirect(f"{response.get_absolute_url()}?edit={item.pk}#item-{item.pk}")


@login_required
def item_edit(request, pk: int, item_pk: int):
    response = _editable_response(request, pk)
    item = _item(response, item_pk)
    form_class = item_form_class(response.campaign.kind)
    if request.method != "POST":
        if request.htmx:
            return _render_item(request, response, item, editing=request.GET.get("view") != "1")
        return redirect(f"{response.get_absolute_url()}?edit={item.pk}#item-{item.pk}")
    form = form_class(request.POST, instance=item, prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            services.item_save(item=item, revision=_revision(request), by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ConflictError as error:
            messages.error(request, error.message)
            return _back_to_response(request, response)
        except PortalError as error:
            messages.error(request, error.message)
            return redirect(response)
        else:
            response.refresh_from_db(fields=["revision"])
            if request.htmx:
                item = _item(response, item_pk)
                html = _render_item(request, response, item)
                # The page's other forms must post the new revision.
                html["HX-Trigger"] = f'{{"revisionChanged": {response.revision}}}'
                return html
            messages.success(request, _("Saved."))
            return redirect(f"{response.get_absolute_url()}#item-{item.pk}")
    # Errors: show them next to the fields; what was saved before stays saved.
    if request.htmx:
        return _render_item(request, response, item, form=form, editing=True, status=200)
    context = _page_context(request, response, item_forms={item.pk: form})
    return render(request, "surveys/response_detail.html", context, status=400)


@require_POST
@login_required
def item_delete(request, pk: int, item_pk: int):
    response = _editable_response(request, pk)
    item = _item(response, item_pk)
    try:
        services.item_delete(item=item, revision=_revision(request), by=request.user)
    except PortalError as error:
        messages.error(request, error.message)
        return _back_to_response(request, response)
    if request.htmx:
        response.refresh_from_db(fields=["revision"])
        html = HttpResponse("")
        html["HX-Trigger"] = f'{{"revisionChanged": {response.revision}}}'
        return html
    messages.success(request, _("Removed."))
    return redirect(response)


@require_POST
@login_required
def response_submit(request, pk: int):
    response = _editable_response(request, pk)
    try:
        services.response_submit(response=response, by=request.user)
    except services.SubmissionInvalid as error:
        form_class = item_form_class(response.campaign.kind)
        choices = area_choices()
        item_forms = {}
        for item in selectors.response_items(response=response):
            if item.pk in error.per_item:
                form = form_class(instance=item, prefix=f"item-{item.pk}", choices=choices)
                # An unbound form showing the saved values with the submit errors.
                form._errors = ErrorDict(
                    {field: form.error_class([message]) for field, message in error.per_item[item.pk].items()}
                )
                item_forms[item.pk] = form
        messages.error(request, error.message)
        context = _page_context(request, response, item_forms=item_forms, errors=error.general)
        return render(request, "surveys/response_detail.html", context, status=400)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect(response)
    messages.success(request, _("Thank you: the response has been submitted."))
    return redirect(response)


@require_POST
@role_required(Role.SECRETARIAT)
def response_reopen(request, pk: int):
    response = get_object_or_404(Response, pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.REASON_REQUIRED)
        return redirect(response.campaign)
    try:
        services.response_reopen(response=response, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("The response of %(institute)s is reopened.") % {"institute": response.institute.acronym})
    except (PortalError, ValidationError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    return redirect(response.campaign)


@require_POST
@login_required
def response_copy_previous(request, pk: int):
    response = _editable_response(request, pk)
    try:
        count = services.response_copy_previous(response=response, revision=_revision(request), by=request.user)
        messages.success(
            request,
            ngettext("%(count)s item copied from the previous response.", "%(count)s items copied from the previous response.", count)
            % {"count": count},
        )
    except PortalError as error:
        messages.error(request, error.message)
    return redirect(response)


@require_POST
@role_required(Role.SECRETARIAT)
def response_accept(request, pk: int):
    response = get_object_or_404(Response, pk=pk, campaign__kind=CampaignKind.SELF_CLASSIFICATION)
    try:
        status = services.self_classification_accept(response=response, by=request.user)
        messages.success(
            request,
            _("Accepted: %(country)s is %(status)s in %(year)s.")
            % {
                "country": status.country.name,
                "status": _("CEEMS") if status.is_ceems else _("not CEEMS"),
                "year": status.year,
            },
        )
    except PortalError as error:
        messages.error(request, error.message)
    return redirect(response)


@login_required
def response_history(request, pk: int):
    response = selectors.response_for_page(user=request.user, pk=pk)
    if not (request.user.has_role(Role.SECRETARIAT) or request.user.institute_id == response.institute_id):
        raise Http404
    return render(
        request,
        "surveys/response_history.html",
        {"response": response, "entries": selectors.response_change_log(response=response)},
    )


@login_required
def response_export(request, pk: int, fmt: str):
    """The needs or offers of one response as XLSX or CSV: the institute's
    own copy of what it answered. Another institute's response is 404."""
    from ..summary import summary_items
    from .summary import CONTENT_TYPES, export_download

    response = selectors.response_for_page(user=request.user, pk=pk)
    if fmt not in CONTENT_TYPES or response.campaign.kind == CampaignKind.SELF_CLASSIFICATION:
        raise Http404
    items = summary_items(year=response.campaign.year, filters={"response": response.pk}, user=request.user)
    filename = f"ceems-{response.campaign.kind}-{response.campaign.year}-{response.institute.acronym}.{fmt}"
    return export_download(items=items, fmt=fmt, filename=filename, title=str(response.campaign))
