"""The questionnaire pages. Every action is a plain form post that redirects
back to the response page; with htmx the same URLs answer with a partial
that is swapped in place.

Who may do what is asked of surveys.permissions; a domain rule a service
refuses becomes a message and a return to the response page
(core.views.handles_portal_errors)."""
import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.concurrency import revision_from
from core.views import form_errors, handles_portal_errors

from .. import selectors, services
from ..forms import ReopenForm, ResponseCommentForm, SelfClassificationForm, area_choices, item_form_class
from ..models import Campaign, CampaignKind, Response


def _revision(request) -> int | None:
    return revision_from(request.POST)


def response_url(request, pk: int, **kwargs) -> str:
    """Where every action on a response returns to, also after an error."""
    return reverse("surveys:response_detail", args=[pk])


def _response(request, pk: int, perm: str = "surveys.view_response") -> Response:
    """The response, fetched through what the user may see (a foreign id is
    404), if the user holds `perm` on it; 404 otherwise: an institute's
    answers are not confirmed to exist to someone who may not act on them."""
    response = selectors.response_for_page(user=request.user, pk=pk)
    if not request.user.has_perm(perm, response):
        raise Http404
    return response


def _item(response: Response, item_pk: int):
    model = response.campaign.item_model
    if model is None:  # a self-classification lists no items
        raise Http404
    return get_object_or_404(model.objects.select_related("area", "subfield"), pk=item_pk, response=response)


def _revision_changed(html: HttpResponse, *, old: int | None, new: int) -> HttpResponse:
    """Tell the page that this save moved the response from `old` to `new`:
    its forms loaded at `old` may post `new` from now on. A form loaded at
    another revision keeps its number, so it still conflicts (static/js/portal.js)."""
    html["HX-Trigger"] = json.dumps({"revisionChanged": {"from": old, "to": new}})
    return html


def _edit_param(request) -> int | None:
    raw = request.GET.get("edit", "")
    return int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None


def _general_form(response: Response, data=None):
    if response.campaign.kind == CampaignKind.SELF_CLASSIFICATION:
        return SelfClassificationForm(data, instance=response, prefix="response")
    return ResponseCommentForm(data, instance=response, prefix="response")


def _page_context(request, response: Response, *, general_form=None, item_forms=None, errors=None):
    """Everything the response page shows. `item_forms` maps item ids to bound
    forms to show in edit mode (e.g. after a failed submit). What the user
    may do there the template asks surveys.permissions."""
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
        "reopen_form": ReopenForm(),
        "submit_errors": errors or [],
    }


@require_POST
@login_required
@handles_portal_errors(redirect_to=lambda request, pk: reverse("surveys:campaign_detail", args=[pk]))
def response_start(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("surveys.respond_to_campaign", campaign):
        raise Http404
    response = services.response_start(campaign=campaign, institute=request.user.institute, by=request.user)
    return redirect(response)


@login_required
@handles_portal_errors(redirect_to=response_url)
def response_detail(request, pk: int):
    response = _response(request, pk)
    if request.method == "POST":
        response = _response(request, pk, "surveys.answer_response")
        form = _general_form(response, request.POST)
        if form.is_valid():
            with form_errors(form):
                services.response_save(
                    response=response, revision=_revision(request), by=request.user, **form.cleaned_data
                )
                messages.success(request, _("Draft saved."))
                return redirect(response)
        return render(request, "surveys/response_detail.html", _page_context(request, response, general_form=form))
    item_forms = {}
    edit = _edit_param(request)
    if edit is not None and response.campaign.item_model and request.user.has_perm("surveys.edit_response", response):
        item = _item(response, edit)
        item_forms[item.pk] = item_form_class(response.campaign.kind)(instance=item, prefix=f"item-{item.pk}")
    return render(request, "surveys/response_detail.html", _page_context(request, response, item_forms=item_forms))


def _render_item(request, response, item, form=None, editing=False, status=200):
    if form is None and editing:
        form = item_form_class(response.campaign.kind)(instance=item, prefix=f"item-{item.pk}")
    item.form = form
    item.editing = editing
    return render(
        request,
        "surveys/_item.html",
        {"item": item, "response": response, "campaign": response.campaign},
        status=status,
    )


@require_POST
@login_required
@handles_portal_errors(redirect_to=response_url)
def item_add(request, pk: int):
    response = _response(request, pk, "surveys.answer_response")
    loaded = _revision(request)
    item = services.item_add(response=response, revision=loaded, by=request.user)
    if request.htmx:
        # `response` now holds the revision this add claimed.
        return _revision_changed(_render_item(request, response, item, editing=True), old=loaded, new=response.revision)
    return redirect(f"{response.get_absolute_url()}?edit={item.pk}#item-{item.pk}")


@login_required
@handles_portal_errors(redirect_to=response_url)
def item_edit(request, pk: int, item_pk: int):
    response = _response(request, pk, "surveys.answer_response")
    item = _item(response, item_pk)
    form_class = item_form_class(response.campaign.kind)
    if request.method != "POST":
        if request.htmx:
            return _render_item(request, response, item, editing=request.GET.get("view") != "1")
        return redirect(f"{response.get_absolute_url()}?edit={item.pk}#item-{item.pk}")
    form = form_class(request.POST, instance=item, prefix=f"item-{item.pk}")
    if form.is_valid():
        with form_errors(form):
            loaded = _revision(request)
            saved = services.item_save(item=item, revision=loaded, by=request.user, **form.cleaned_data)
            # The revision this save claimed, not a re-read: somebody may have saved since.
            response.revision = saved.response.revision
            if request.htmx:
                item = _item(response, item_pk)
                return _revision_changed(_render_item(request, response, item), old=loaded, new=response.revision)
            messages.success(request, _("Saved."))
            return redirect(f"{response.get_absolute_url()}#item-{item.pk}")
    # Errors: show them next to the fields; what was saved before stays saved.
    if request.htmx:
        return _render_item(request, response, item, form=form, editing=True, status=200)
    context = _page_context(request, response, item_forms={item.pk: form})
    return render(request, "surveys/response_detail.html", context, status=400)


@require_POST
@login_required
@handles_portal_errors(redirect_to=response_url)
def item_delete(request, pk: int, item_pk: int):
    response = _response(request, pk, "surveys.answer_response")
    item = _item(response, item_pk)
    loaded = _revision(request)
    services.item_delete(item=item, revision=loaded, by=request.user)
    if request.htmx:
        return _revision_changed(HttpResponse(""), old=loaded, new=item.response.revision)
    messages.success(request, _("Removed."))
    return redirect(response)


@require_POST
@login_required
@handles_portal_errors(redirect_to=response_url)
def response_submit(request, pk: int):
    response = _response(request, pk, "surveys.answer_response")
    try:
        services.response_submit(response=response, by=request.user)
    except services.SubmissionInvalid as error:
        # Not a message and a redirect: every problem is shown next to its
        # field, on the page the user is looking at.
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
    messages.success(request, _("Thank you: the response has been submitted."))
    return redirect(response)


def _campaign_of_response(request, pk: int) -> str:
    campaign_id = Response.objects.filter(pk=pk).values_list("campaign_id", flat=True).first()
    return reverse("surveys:campaign_detail", args=[campaign_id]) if campaign_id else reverse("surveys:campaign_list")


@require_POST
@login_required
@handles_portal_errors(redirect_to=_campaign_of_response)
def response_reopen(request, pk: int):
    if not request.user.has_perm("surveys.reopen_response"):
        raise PermissionDenied
    response = get_object_or_404(Response.objects.visible_to(request.user).select_related("institute"), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.REASON_REQUIRED if "reason" in form.errors else " ".join(form.errors["deadline"]))
        return redirect(response.campaign)
    response = services.response_reopen(
        response=response, reason=form.cleaned_data["reason"], deadline=form.cleaned_data["deadline"], by=request.user
    )
    messages.success(
        request,
        _("The response of %(institute)s is reopened; it can be submitted until %(deadline)s.")
        % {"institute": response.institute.acronym, "deadline": date_format(response.submit_by)},
    )
    return redirect(response.campaign)


@require_POST
@login_required
@handles_portal_errors(redirect_to=response_url)
def response_copy_previous(request, pk: int):
    response = _response(request, pk, "surveys.answer_response")
    count = services.response_copy_previous(response=response, revision=_revision(request), by=request.user)
    messages.success(
        request,
        ngettext("%(count)s item copied from the previous response.", "%(count)s items copied from the previous response.", count)
        % {"count": count},
    )
    return redirect(response)


@require_POST
@login_required
@handles_portal_errors(redirect_to=response_url)
def response_accept(request, pk: int):
    if not request.user.has_perm("surveys.accept_self_classification"):
        raise PermissionDenied
    response = get_object_or_404(
        Response.objects.visible_to(request.user).select_related("institute__country", "campaign"),
        pk=pk,
        campaign__kind=CampaignKind.SELF_CLASSIFICATION,
    )
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
    return redirect(response)


@login_required
def response_history(request, pk: int):
    """Who changed the response and its items, and when: shown to whoever
    may read the response (the same rule asked by the link to it)."""
    response = _response(request, pk, "surveys.view_response_history")
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

    response = _response(request, pk, "surveys.export_response")
    if fmt not in CONTENT_TYPES or response.campaign.kind == CampaignKind.SELF_CLASSIFICATION:
        raise Http404
    items = summary_items(year=response.campaign.year, filters={"response": response.pk}, user=request.user)
    filename = f"ceems-{response.campaign.kind}-{response.campaign.year}-{response.institute.acronym}.{fmt}"
    return export_download(items=items, fmt=fmt, filename=filename, title=str(response.campaign))
