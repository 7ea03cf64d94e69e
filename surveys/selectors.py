"""Reads of the surveys app, each joined for the page that shows it."""
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from institutes.models import Role

from .models import Campaign, Invitation, Response


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
    return (
        Campaign.objects.visible_to(user)
        .annotate(
            invited_count=Coalesce(Subquery(invited), 0),
            submitted_count=Coalesce(Subquery(submitted), 0),
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


@dataclass
class ChangeLogEntry:
    when: object
    who: object
    what: str
    action: str
    changes: list[str]


_LOG_IGNORED = {"id", "revision", "updated_at", "created_at", "position", "response", "history_id",
                "history_date", "history_change_reason", "history_type", "history_user", "history_user_id"}


def response_change_log(*, response: Response, limit: int = 300) -> list[ChangeLogEntry]:
    """Who changed what and when in the response and its items, newest first;
    each entry names the fields that changed (two queries whatever the size)."""
    model = response.campaign.item_model
    groups = [
        (Response, list(Response.history.filter(id=response.pk).select_related("history_user").order_by("history_date")[:limit])),
    ]
    if model is not None:  # a self-classification lists no items
        groups.append(
            (model, list(model.history.filter(response_id=response.pk).select_related("history_user").order_by("history_date")[:limit]))
        )
    entries: list[ChangeLogEntry] = []
    for source, records in groups:
        fields = [f for f in source._meta.concrete_fields if f.name not in _LOG_IGNORED]
        previous: dict[int, object] = {}
        for record in records:
            before = previous.get(record.id)
            changes = [
                str(f.verbose_name)
                for f in fields
                if before is not None and getattr(before, f.attname) != getattr(record, f.attname)
            ]
            previous[record.id] = record
            if record.history_type == "~" and not changes:
                continue  # a save that changed nothing a person would see
            what = str(source._meta.verbose_name).capitalize()
            if source is not Response:
                what = f"{what} #{record.id}" + (f" «{record.subject[:60]}»" if record.subject else "")
            entries.append(ChangeLogEntry(record.history_date, record.history_user, what, record.history_type, changes))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def can_edit_response(*, user, response: Response) -> bool:
    return (
        user.has_role(Role.RESPONDENT)
        and user.institute_id == response.institute_id
        and response.is_editable
    )
