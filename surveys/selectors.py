"""Reads of the surveys app, each joined for the page that shows it."""
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.changelog import ChangeLogEntry, LogSource, change_log

from .models import Campaign, Invitation, Questionnaire, Response


def campaigns_for_list(*, user) -> QuerySet[Campaign]:
    """Campaigns the user may see, with their invitation and submission counts."""
    # Subqueries, not joins: visible_to() may already join the invitations.
    # order_by(): Response's default ordering would join institutes and countries into the subquery.
    invited = (
        Invitation.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("*"))
        .values("n")
    )
    submitted = (
        Response.objects.filter(campaign=OuterRef("pk"), status=Response.Status.SUBMITTED)
        .order_by()
        .values("campaign")
        .annotate(n=Count("*"))
        .values("n")
    )
    # Whether the user's own institute was invited: the list says "not
    # started" only to those whose institute was asked (the Secretariat's
    # own account belongs to an institute too).
    own_invited = (
        Exists(Invitation.objects.filter(campaign=OuterRef("pk"), institute_id=user.institute_id))
        if user.institute_id
        else Value(False, output_field=BooleanField())
    )
    return (
        Campaign.objects.visible_to(user)
        .annotate(
            invited_count=Coalesce(Subquery(invited), 0),
            submitted_count=Coalesce(Subquery(submitted), 0),
            own_invited=own_invited,
        )
        .order_by("-year", "kind")
    )


def responses_of_institute(*, institute_id: int, campaigns) -> dict[int, Response]:
    """The institute's responses to `campaigns` (a page of them), keyed by campaign id."""
    return {
        r.campaign_id: r
        for r in Response.objects.filter(institute_id=institute_id, campaign__in=[c.pk for c in campaigns])
    }


@dataclass
class InvitationRow:
    invitation: Invitation
    response: Response | None

    @property
    def state(self) -> str:
        return self.response.status if self.response else "not_started"


def campaign_invitations(*, campaign: Campaign) -> QuerySet[Invitation]:
    """The invitations of a campaign in the order of its progress table."""
    return campaign.invitations.select_related("institute__country").order_by(
        "institute__country__iso2", "institute__acronym"
    )


def campaign_progress(*, campaign: Campaign, invitations) -> list[InvitationRow]:
    """The given invitations (a page of them) with each institute's response,
    if any: one query for the responses of that page."""
    invitations = list(invitations)
    responses = {
        r.institute_id: r
        for r in Response.objects.filter(
            campaign=campaign, institute_id__in=[i.institute_id for i in invitations]
        ).select_related("submitted_by")
    }
    return [InvitationRow(invitation, responses.get(invitation.institute_id)) for invitation in invitations]


def campaign_counts(*, campaign: Campaign) -> tuple[int, int]:
    """(invited, submitted) for the response rate, counted in the database."""
    invited = campaign.invitations.count()
    submitted = Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED).count()
    return invited, submitted


def response_for_page(*, user, pk: int) -> Response:
    """The response, if the user may see it; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Response.objects.visible_to(user).select_related(
            "campaign__questionnaire", "institute__country", "submitted_by", "accepted_by"
        ),
        pk=pk,
    )


def response_items(*, response: Response) -> QuerySet | list:
    """The needs or offers of `response` in the order the respondent gave
    them; an empty list for a campaign that lists no items (a CEEMS
    self-classification)."""
    model = response.campaign.item_model
    if model is None:
        return []
    return model.objects.filter(response=response).select_related("area", "subfield").order_by("position", "pk")


def _item_label(record) -> str:
    return f"#{record.id}" + (f" «{record.subject[:60]}»" if record.subject else "")


def response_change_log(*, response: Response, limit: int = 300) -> list[ChangeLogEntry]:
    """Who changed what and when in the response and its items, newest
    first, with the values before and after (core.changelog)."""
    sources = [LogSource(Response.history.filter(id=response.pk), ignore=frozenset({"campaign", "institute"}))]
    model = response.campaign.item_model
    if model is not None:  # a self-classification lists no items
        sources.append(LogSource(model.history.filter(response_id=response.pk), describe=_item_label, ignore=frozenset({"response"})))
    return change_log(*sources, limit=limit)


def campaign_change_log(*, campaign: Campaign, limit: int = 300) -> list[ChangeLogEntry]:
    """Changes to the campaign itself, its invitations and its questionnaire."""
    return change_log(
        LogSource(Campaign.history.filter(id=campaign.pk)),
        LogSource(
            Invitation.history.filter(campaign_id=campaign.pk).select_related("institute"),
            describe=lambda record: str(record.institute) if record.institute_id else "",
            ignore=frozenset({"campaign"}),
        ),
        LogSource(Questionnaire.history.filter(id=campaign.questionnaire_id)),
        limit=limit,
    )


# The home page shows this many open campaigns; more are behind "All campaigns".
HOME_CAMPAIGNS = 8


def campaigns_to_answer(*, institute_id: int) -> list[Response]:
    """The home page's to-do list of an institute: every open campaign it is
    invited to, soonest deadline first, each as the institute's response
    (an unsaved one, status "not started", where it has not begun), with
    its campaign attached and the deadline that applies to it. One query."""
    own = Response.objects.filter(campaign=OuterRef("pk"), institute_id=institute_id).order_by()
    campaigns = (
        Campaign.objects.filter(status=Campaign.Status.OPEN, invitations__institute_id=institute_id)
        .annotate(
            own_pk=Subquery(own.values("pk")[:1]),
            own_status=Subquery(own.values("status")[:1]),
            own_deadline=Subquery(own.values("deadline")[:1]),
        )
        .order_by("closes_on", "kind", "pk")
    )
    rows = []
    for campaign in campaigns:
        response = Response(
            pk=campaign.own_pk, campaign=campaign, institute_id=institute_id,
            status=campaign.own_status or "", deadline=campaign.own_deadline,
        )
        rows.append(response)
    return rows


def open_campaigns_with_rates(*, limit: int = HOME_CAMPAIGNS) -> tuple[list[Campaign], int]:
    """The open campaigns, soonest deadline first, each with `invited_count`,
    `submitted_count` and `percent`, and how many are open in all: two
    queries, whatever the number of campaigns and institutes."""
    invited = (
        Invitation.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("*")).values("n")
    )
    submitted = (
        Response.objects.filter(campaign=OuterRef("pk"), status=Response.Status.SUBMITTED)
        .order_by().values("campaign").annotate(n=Count("*")).values("n")
    )
    queryset = Campaign.objects.filter(status=Campaign.Status.OPEN)
    campaigns = list(
        queryset.annotate(
            invited_count=Coalesce(Subquery(invited), 0), submitted_count=Coalesce(Subquery(submitted), 0)
        ).order_by("closes_on", "kind", "pk")[:limit]
    )
    for campaign in campaigns:
        campaign.percent = round(100 * campaign.submitted_count / campaign.invited_count) if campaign.invited_count else 0
    total = len(campaigns) if len(campaigns) < limit else queryset.count()
    return campaigns, total
