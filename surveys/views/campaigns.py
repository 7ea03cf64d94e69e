"""Campaign pages: the list, the Secretariat's create/edit/open/close and
progress table, and the respondent's entry point."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import PortalError
from institutes.models import Institute, Role
from institutes.permissions import role_required

from .. import selectors, services
from ..forms import CampaignForm, ReopenForm
from ..models import Campaign, Response


# Enough for every COOMET member on one page; all RMOs together take a few.
PROGRESS_PAGE_SIZE = 100


@login_required
def campaign_list(request):
    user = request.user
    campaigns = Paginator(selectors.campaigns_for_list(user=user), settings.PORTAL_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    own = (
        selectors.responses_of_institute(institute_id=user.institute_id, campaigns=campaigns)
        if user.institute_id
        else {}
    )
    for campaign in campaigns:
        campaign.own_response = own.get(campaign.pk)
    return render(request, "surveys/campaign_list.html", {"page_obj": campaigns})


def _save_campaign(request, form, campaign=None):
    data = form.cleaned_data
    try:
        return services.campaign_save(
            campaign=campaign,
            kind=data["kind"],
            year=data["year"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            reminder_days=data["reminder_days"],
            introduction_ru=data["introduction_ru"],
            introduction_en=data["introduction_en"],
            institutes=list(data["institutes"]),
            by=request.user,
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except PortalError as error:
        form.add_error(None, error.message)
    return None


@role_required(Role.SECRETARIAT)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = _save_campaign(request, form)
        if campaign:
            messages.success(request, _("The campaign has been created as a draft. Open it to send the invitations."))
            return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form})


@role_required(Role.SECRETARIAT)
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, services.CAMPAIGN_NOT_DRAFT)
        return redirect(campaign)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        if _save_campaign(request, form, campaign):
            messages.success(request, _("The campaign has been saved."))
            return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user).select_related("questionnaire"), pk=pk)
    context = {"campaign": campaign, "is_secretariat": request.user.has_role(Role.SECRETARIAT)}
    # The task group and the Committee follow the same table, read-only.
    if request.user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
        page = Paginator(selectors.campaign_invitations(campaign=campaign), PROGRESS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        invited, submitted = selectors.campaign_counts(campaign=campaign)
        context.update(
            page_obj=page,
            rows=selectors.campaign_progress(campaign=campaign, invitations=page.object_list),
            submitted=submitted,
            invited=invited,
            percent=round(100 * submitted / invited) if invited else 0,
            reopen_form=ReopenForm(),
        )
    if request.user.institute_id:
        context["own_response"] = Response.objects.filter(
            campaign=campaign, institute_id=request.user.institute_id
        ).first()
        context["can_respond"] = (
            request.user.has_role(Role.RESPONDENT)
            and campaign.invitations.filter(institute_id=request.user.institute_id).exists()
        )
    return render(request, "surveys/campaign_detail.html", context)


@require_POST
@role_required(Role.SECRETARIAT)
def campaign_open(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        services.campaign_open(campaign=campaign, by=request.user)
        messages.success(request, _("The campaign is open; the invitations are being sent."))
    except PortalError as error:
        messages.error(request, error.message)
    return redirect(campaign)


@require_POST
@role_required(Role.SECRETARIAT)
def campaign_close(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    services.campaign_close(campaign=campaign, by=request.user)
    messages.success(request, _("The campaign is closed."))
    return redirect(campaign)


@require_POST
@role_required(Role.SECRETARIAT)
def campaign_remind(request, pk: int, institute_pk: int):
    campaign = get_object_or_404(Campaign, pk=pk, status=Campaign.Status.OPEN)
    institute = get_object_or_404(Institute, pk=institute_pk, invitations__campaign=campaign)
    count = services.campaign_remind_institute(campaign=campaign, institute=institute, by=request.user)
    text = ngettext(
        "A reminder is on its way to %(institute)s (%(count)s recipient).",
        "A reminder is on its way to %(institute)s (%(count)s recipients).",
        count,
    )
    messages.success(request, text % {"institute": institute.acronym, "count": count})
    return redirect(campaign)
