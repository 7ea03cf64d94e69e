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
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from core.concurrency import revision_from
from core.views import form_errors, handles_portal_errors

from .. import selectors, services
from core.errors import PortalError

from ..forms import NeedForm, ReopenForm, ResponseCommentForm, SelfClassificationForm, area_choices, item_form_class
from ..models import Campaign, CampaignKind, Response

NEW_PREFIX = "new"


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


def _required_to_submit(response: Response) -> tuple[str, ...]:
    if response.campaign.kind == CampaignKind.OFFERS:
        return services.REQUIRED_OFFER_FIELDS
    return services.REQUIRED_NEED_FIELDS


def _item_form(response: Response, data=None, *, instance=None, prefix: str, choices=None):
    """The form of one need or offer (a new one when `instance` is None),
    with the fields needed to submit marked."""
    form_class = item_form_class(response.campaign.kind)
    if instance is None:
        instance = response.campaign.item_model(response=response)
    return form_class(
        data, instance=instance, prefix=prefix, choices=choices, required_to_submit=_required_to_submit(response)
    )


def _page_context(request, response: Response, *, general_form=None, item_forms=None, errors=None, new_form=None):
    """Everything the response page shows. `item_forms` maps item ids to bound
    forms to show in edit mode (e.g. after a failed submit); `new_form` is the
    form of a need or offer not saved yet. What the user may do there the
    template asks surveys.permissions."""
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
        "new_form": new_form,
        "can_copy_previous": _can_copy_previous(response, items),
    }


def _can_copy_previous(response: Response, items: list) -> bool:
    """Offered only while the response has no items (the service refuses
    otherwise) and an earlier response exists."""
    if items or response.campaign.item_model is None:
        return False
    return services.previous_response(response) is not None


def _submit_problems(response: Response, choices=None) -> tuple[list, dict]:
    """What stops `response` from being submitted now: the general messages,
    and for each item at fault its form showing the saved values with the
    messages next to the fields."""
    general, per_item = services.submission_errors(response)
    item_forms = {}
    if per_item:
        choices = choices or area_choices()
        for item in selectors.response_items(response=response):
            if item.pk in per_item:
                form = _item_form(response, instance=item, prefix=f"item-{item.pk}", choices=choices)
                # An unbound form showing the saved values with the submit errors.
                form._errors = ErrorDict(
                    {field: form.error_class([message]) for field, message in per_item[item.pk].items()}
                )
                item_forms[item.pk] = form
    return general, item_forms


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
    general_errors = []
    new_form = None
    can_edit = request.user.has_perm("surveys.edit_response", response)
    if can_edit and request.GET.get("check") == "1":
        # After a refused submit (redirected here): every problem next to its
        # field, worked out again from what is saved, so a reload shows what
        # is still missing and posts nothing.
        general_errors, item_forms = _submit_problems(response)
    edit = _edit_param(request)
    if edit is not None and response.campaign.item_model and can_edit and edit not in item_forms:
        item = _item(response, edit)
        item_forms[item.pk] = _item_form(response, instance=item, prefix=f"item-{item.pk}")
    if request.GET.get("new") == "1" and response.campaign.item_model and can_edit:
        new_form = _item_form(response, prefix=NEW_PREFIX)
    context = _page_context(request, response, item_forms=item_forms, errors=general_errors, new_form=new_form)
    return render(request, "surveys/response_detail.html", context)


def _render_item(request, response, item, form=None, editing=False, status=200):
    if form is None and editing:
        form = _item_form(response, instance=item, prefix=f"item-{item.pk}")
    item.form = form
    item.editing = editing
    return render(
        request,
        "surveys/_item.html",
        {"item": item, "response": response, "campaign": response.campaign},
        status=status,
    )


def _item_count(response: Response) -> int:
    return response.campaign.item_model.objects.filter(response=response).count()


@login_required
@handles_portal_errors(redirect_to=response_url)
def item_add(request, pk: int):
    """A new need or offer. GET shows its empty form (with htmx, the form
    alone, put under the list; ?cancel=1 takes it away again); POST saves it.
    Nothing is stored before the form is saved with something in it, so
    "Add" then "Cancel" (or a closed tab) leaves no empty item behind."""
    response = _response(request, pk, "surveys.answer_response")
    if response.campaign.item_model is None:
        raise PortalError(services.NO_ITEMS)
    services.response_check_editable(response)
    draft_key = f"{request.user.pk}:response-{response.pk}-new"
    if request.method != "POST":
        if not request.htmx:
            return redirect(f"{response.get_absolute_url()}?new=1#new-item")
        if request.GET.get("cancel") == "1":
            # The form goes, and with it what the browser kept of its text.
            return HttpResponse(f'<span data-draft-saved="{draft_key}"></span>')
        return _render_new(request, response, _item_form(response, prefix=NEW_PREFIX))
    form = _item_form(response, request.POST, prefix=NEW_PREFIX)
    if form.is_valid():
        with form_errors(form):
            loaded = _revision(request)
            fields = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
            item = services.item_add(response=response, revision=loaded, by=request.user, **fields)
            if not request.htmx:
                messages.success(request, _("Saved."))
                return redirect(f"{response.get_absolute_url()}#item-{item.pk}")
            # The saved item joins the list; the new form's place empties, the
            # count moves, and the page's forms move to the new revision.
            item = _item(response, item.pk)
            count = _item_count(response)
            html = _render_item(request, response, item).content.decode()
            html += render_to_string(
                "surveys/_item_added_oob.html",
                {"count": count, "draft_key": draft_key, "response": response},
                request=request,
            )
            answer = HttpResponse(html)
            answer["HX-Retarget"] = "#items"
            answer["HX-Reswap"] = "beforeend"
            return _revision_changed(answer, old=loaded, new=response.revision)
    if request.htmx:
        return _render_new(request, response, form)
    return render(
        request, "surveys/response_detail.html", _page_context(request, response, new_form=form), status=400
    )


def _render_new(request, response, form):
    return render(
        request, "surveys/_item_new.html", {"response": response, "campaign": response.campaign, "form": form}
    )


@login_required
@require_GET
def subfield_options(request):
    """The sub-field list of an item form for the area chosen in it (htmx,
    when the area changes): only that area's sub-fields, or every one,
    grouped, while no area is chosen. Reference data, the same for all."""
    prefix = request.GET.get("prefix", "")
    if not re.fullmatch(r"new|item-[0-9]{1,18}", prefix):
        raise Http404
    area = request.GET.get(f"{prefix}-area", "")
    form = NeedForm(prefix=prefix, initial={"area": area if area.isdigit() else None})
    return render(request, "surveys/_subfield_select.html", {"field": form["subfield"]})


@login_required
@handles_portal_errors(redirect_to=response_url)
def item_edit(request, pk: int, item_pk: int):
    response = _response(request, pk, "surveys.answer_response")
    item = _item(response, item_pk)
    if request.method != "POST":
        if request.htmx:
            return _render_item(request, response, item, editing=request.GET.get("view") != "1")
        return redirect(f"{response.get_absolute_url()}?edit={item.pk}#item-{item.pk}")
    form = _item_form(response, request.POST, instance=item, prefix=f"item-{item.pk}")
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
        # The card goes; the count beside the heading follows.
        count = render_to_string("surveys/_item_count.html", {"count": _item_count(response), "oob": True})
        return _revision_changed(HttpResponse(count), old=loaded, new=item.response.revision)
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
        # Redirected like every other form, so a reload posts nothing: the
        # page it goes to works the problems out again and shows each next
        # to its field.
        messages.error(request, error.message)
        return redirect(f"{response.get_absolute_url()}?check=1")
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
