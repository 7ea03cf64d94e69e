"""Campaign pages: the list, the Secretariat's create/edit/open/close and
progress table, and the respondent's entry point."""
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.views import form_errors, handles_portal_errors
from institutes.models import Institute
from institutes.permissions import permission_required

from .. import selectors, services
from ..forms import CampaignDeadlineForm, CampaignForm, ReopenForm
from ..models import Campaign, Response


# The portal's page size: a page of 100 institutes cost four times a page of
# 25 to render (about 0.3 ms a row), the most of the page at every RMO's scale.
PROGRESS_PAGE_SIZE = 25


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


def campaign_url(request, pk: int, **kwargs) -> str:
    return reverse("surveys:campaign_detail", args=[pk])


def _save_campaign(request, form, campaign=None):
    data = form.cleaned_data
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


@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=lambda request: reverse("surveys:campaign_list"))
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            campaign = _save_campaign(request, form)
            messages.success(request, _("The campaign has been created as a draft. Open it to send the invitations."))
            return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form})


@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, services.CAMPAIGN_NOT_DRAFT)
        return redirect(campaign)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            _save_campaign(request, form, campaign)
            messages.success(request, _("The campaign has been saved."))
            return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user).select_related("questionnaire"), pk=pk)
    # One key per rendering of the page: a double click on "Remind" sends once.
    context = {"campaign": campaign, "remind_click": uuid4()}
    today = timezone.localdate()
    # The task group and the Committee follow the same table, read-only.
    if request.user.has_perm("surveys.view_campaign_progress", campaign):
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
            today=today,
            deadline_passed=campaign.closes_on < today,
            suggested_deadline=today + timedelta(days=14),
        )
    if request.user.institute_id:
        context["own_response"] = Response.objects.filter(
            campaign=campaign, institute_id=request.user.institute_id
        ).first()
    return render(request, "surveys/campaign_detail.html", context)


@permission_required("surveys.view_campaign_history")
def campaign_history(request, pk: int):
    """Who changed the campaign, its invitations and its questionnaire."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "surveys/campaign_history.html",
        {"campaign": campaign, "entries": selectors.campaign_change_log(campaign=campaign)},
    )


@require_POST
@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_open(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    services.campaign_open(campaign=campaign, by=request.user)
    messages.success(request, _("The campaign is open; the invitations are being sent."))
    return redirect(campaign)


def _action_page(request, campaign, **context):
    return render(request, "surveys/campaign_action.html", {"campaign": campaign, **context})


@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_close(request, pk: int):
    """Closing asks first: the page says what closing does and how to undo
    it, and only its own form (with `confirm`) closes."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if campaign.status == Campaign.Status.DRAFT:
        messages.error(request, services.CAMPAIGN_DRAFT_NOT_CLOSABLE)
        return redirect(campaign)
    if campaign.status == Campaign.Status.CLOSED:
        messages.info(request, _("The campaign is already closed."))
        return redirect(campaign)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.campaign_close(campaign=campaign, by=request.user)
        messages.success(request, _("The campaign is closed. You can reopen it from its page."))
        return redirect(campaign)
    invited, submitted = selectors.campaign_counts(campaign=campaign)
    return _action_page(
        request,
        campaign,
        action="close",
        title=_("Close the campaign?"),
        text=_("Once the campaign is closed, no response can be started, changed or submitted. You can reopen the campaign later."),
        detail=_("Invited institutes that have not submitted: %(missing)s of %(invited)s.")
        % {"missing": invited - submitted, "invited": invited},
        button=_("Close the campaign"),
    )


@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_reopen(request, pk: int):
    """Reopen a closed campaign until a deadline of today or later."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if campaign.status != Campaign.Status.CLOSED:
        messages.error(request, services.CAMPAIGN_NOT_CLOSED)
        return redirect(campaign)
    today = timezone.localdate()
    suggested = campaign.closes_on if campaign.closes_on >= today else today + timedelta(days=14)
    form = CampaignDeadlineForm(request.POST or None, initial={"closes_on": suggested})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            count = services.campaign_reopen(campaign=campaign, closes_on=form.cleaned_data["closes_on"], by=request.user)
            messages.success(request, _("The campaign is open again.") + _deadline_news(count))
            return redirect(campaign)
    return _action_page(
        request,
        campaign,
        action="reopen",
        form=form,
        title=_("Reopen the campaign?"),
        text=_("Institutes can then start, change and submit their responses again until the deadline below. If it moves, the respondents who have not submitted are told by email."),
        button=_("Reopen the campaign"),
    )


def _deadline_news(count: int) -> str:
    if not count:
        return ""
    return " " + ngettext(
        "The new deadline is on its way to %(count)s respondent.",
        "The new deadline is on its way to %(count)s respondents.",
        count,
    ) % {"count": count}


@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_deadline(request, pk: int):
    """Extend the deadline of an open campaign."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if campaign.status != Campaign.Status.OPEN:
        messages.error(request, services.CAMPAIGN_NOT_OPEN_FOR_DEADLINE)
        return redirect(campaign)
    form = CampaignDeadlineForm(request.POST or None, initial={"closes_on": campaign.closes_on})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            count = services.campaign_set_deadline(campaign=campaign, closes_on=form.cleaned_data["closes_on"], by=request.user)
            if count:
                messages.success(request, _("The deadline has been moved.") + _deadline_news(count))
            else:
                messages.info(request, _("The deadline is unchanged."))
            return redirect(campaign)
    return _action_page(
        request,
        campaign,
        action="deadline",
        form=form,
        title=_("Extend the deadline"),
        text=_("The respondents of institutes that have not submitted get an email with the new deadline, and the automatic reminder is sent again before it."),
        button=_("Save the new deadline"),
    )


@require_POST
@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_remind_all(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    institutes, emails = services.campaign_remind_all(campaign=campaign, click=request.POST.get("click", ""), by=request.user)
    if not emails:
        messages.info(request, _("No reminder was sent: it has already gone out, or every institute has submitted."))
        return redirect(campaign)
    text = ngettext(
        "Reminders are on their way to %(emails)s respondents of %(count)s institute.",
        "Reminders are on their way to %(emails)s respondents of %(count)s institutes.",
        institutes,
    )
    messages.success(request, text % {"emails": emails, "count": institutes})
    return redirect(campaign)


@require_POST
@permission_required("surveys.manage_campaign")
@handles_portal_errors(redirect_to=campaign_url)
def campaign_remind(request, pk: int, institute_pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk, status=Campaign.Status.OPEN)
    institute = get_object_or_404(Institute, pk=institute_pk, invitations__campaign=campaign)
    count = services.campaign_remind_institute(
        campaign=campaign, institute=institute, click=request.POST.get("click", ""), by=request.user
    )
    if not count:
        messages.info(request, _("This reminder has already been sent."))
        return redirect(campaign)
    text = ngettext(
        "A reminder is on its way to %(institute)s (%(count)s recipient).",
        "A reminder is on its way to %(institute)s (%(count)s recipients).",
        count,
    )
    messages.success(request, text % {"institute": institute.acronym, "count": count})
    return redirect(campaign)
