"""Writes of the surveys app: campaigns, responses, needs and offers.

Every service validates, writes inside one transaction and schedules its
side effects (emails) on commit. Domain rules that a user broke raise
PortalError with one of the message constants below.
"""
from datetime import date, timedelta
from uuid import UUID, uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from core.concurrency import revision_claim
from core.errors import PortalError
from institutes.models import CeemsStatus, Institute, User

from .models import Campaign, CampaignKind, Invitation, Need, Offer, Questionnaire, Response, validate_capacity

DEADLINE_PASSED = _("The deadline of this campaign has passed: the response can no longer be submitted. Your draft is kept.")
CAMPAIGN_NOT_OPEN = _("This campaign is not open.")
ALREADY_SUBMITTED = _("This response has been submitted; ask the Secretariat to reopen it to change it.")
NOT_SUBMITTED = _("Only a submitted response can be reopened.")
CONFLICT = _("Somebody else saved this response after you opened it. Your changes were not saved; the page now shows the latest version. Please enter your changes again.")
REQUIRED = _("This field is required to submit.")
SUBFIELD_NOT_IN_AREA = _("This sub-field does not belong to the chosen area.")
PERIOD_REVERSED = _("The end of the period is before its start.")
SUBMIT_HAS_ERRORS = _("The response cannot be submitted yet: please correct the fields marked below.")
EMPTY_RESPONSE = _("Add at least one item before submitting.")
ANSWER_REQUIRED = _("Say whether your country counts itself as CEEMS.")
NO_PREVIOUS = _("Your institute has no earlier response of this kind to start from.")
REASON_REQUIRED = _("Give a reason for reopening.")
CAMPAIGN_NOT_DRAFT = _("Only a draft campaign can be opened or edited this way.")
NO_INSTITUTES = _("Invite at least one institute.")
INSTITUTE_HAS_SUBMITTED = _("This institute has already submitted its response: no reminder was sent.")
NO_ITEMS = _("This questionnaire has no needs or offers to add.")
EMPTY_ITEM_AT_SUBMIT = _("This item is empty: fill it in or remove it.")
PERIOD_OUTDATED = _("This period ended before %(year)s: set the period this campaign asks about.")
ALREADY_HAS_ITEMS = _("Last year's answers are copied only into a response that has no needs or offers yet; this one already has some, so nothing was copied.")
CAMPAIGN_DRAFT_NOT_CLOSABLE = _("A draft campaign has never been opened, so it cannot be closed: open it, or keep editing it.")
CAMPAIGN_NOT_CLOSED = _("Only a closed campaign can be reopened.")
CAMPAIGN_NOT_OPEN_FOR_DEADLINE = _("The deadline can be moved this way only while the campaign is open; a draft's deadline is changed with Edit.")
DEADLINE_IN_PAST = _("Choose a deadline of today or later: respondents could not submit otherwise.")
DEADLINE_EARLIER = _("The new deadline must be later than the current one, %(deadline)s.")
DEADLINE_BEFORE_OPENING = _("The deadline is before the opening date.")
REOPEN_CAMPAIGN_NOT_OPEN = _("This campaign is closed: reopen the campaign first, then the response, so its institute can submit it.")
PERSONAL_DEADLINE_NEEDED = _("The campaign's deadline has passed: give the institute a day, today or later, by which to submit.")
PERSONAL_DEADLINE_IN_PAST = _("Choose a day of today or later.")

# Fields that must be filled in before submitting, per item kind.
REQUIRED_NEED_FIELDS = ("activity_type", "subject", "period_from", "period_to", "priority")
REQUIRED_OFFER_FIELDS = (
    "activity_type", "subject", "capacity", "period_from", "period_to",
    "languages", "conditions", "customs_paid_by",
)
# Technical activities are about one metrology area; training, prereview,
# projects and information support may span several.
AREA_REQUIRED_TYPES = {"comparison", "calibration", "procedure", "internship"}


# --- Questionnaires ---------------------------------------------------------

def questionnaire_current(*, kind: str) -> Questionnaire:
    """The newest version of the questionnaire of `kind`, created if none."""
    questionnaire = Questionnaire.objects.filter(kind=kind).order_by("-version").first()
    if questionnaire is None:
        label = CampaignKind(kind).label
        questionnaire = Questionnaire.objects.create(kind=kind, version=1, title=str(label))
    return questionnaire


@transaction.atomic
def questionnaire_edit(*, questionnaire: Questionnaire, **texts: str) -> Questionnaire:
    """Change the texts of a questionnaire. A frozen one (a campaign using it
    has opened) is never changed: the edit becomes a new version, which later
    campaigns use. Returns the questionnaire that now carries the texts."""
    if questionnaire.is_frozen:
        latest = Questionnaire.objects.filter(kind=questionnaire.kind).order_by("-version").first()
        questionnaire = Questionnaire(
            kind=questionnaire.kind,
            version=latest.version + 1,
            **{f: getattr(questionnaire, f) for f in ("title_ru", "title_en", "instructions_ru", "instructions_en")},
        )
    for field, value in texts.items():
        setattr(questionnaire, field, value)
    questionnaire.full_clean()
    questionnaire.save()
    return questionnaire


# --- Campaigns --------------------------------------------------------------

@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign | None = None,
    kind: str,
    year: int,
    opens_on: date,
    closes_on: date,
    reminder_days: int,
    introduction_ru: str,
    introduction_en: str,
    institutes: list[Institute],
    by: User,
) -> Campaign:
    """Create a campaign, or edit one that has not opened yet; the invited
    institutes become exactly `institutes`."""
    if campaign is None:
        campaign = Campaign(created_by=by, questionnaire=questionnaire_current(kind=kind))
    elif campaign.status != Campaign.Status.DRAFT:
        raise PortalError(CAMPAIGN_NOT_DRAFT)
    if not institutes:
        raise ValidationError({"institutes": NO_INSTITUTES})
    campaign.kind = kind
    if campaign.questionnaire.kind != kind:
        campaign.questionnaire = questionnaire_current(kind=kind)
    campaign.year = year
    campaign.opens_on = opens_on
    campaign.closes_on = closes_on
    campaign.reminder_days = reminder_days
    campaign.introduction_ru = introduction_ru
    campaign.introduction_en = introduction_en
    campaign.full_clean()
    campaign.save()
    wanted = {institute.pk for institute in institutes}
    campaign.invitations.exclude(institute_id__in=wanted).delete()
    existing = set(campaign.invitations.values_list("institute_id", flat=True))
    # With history, like every other change people make to a campaign.
    bulk_create_with_history(
        [Invitation(campaign=campaign, institute_id=pk) for pk in sorted(wanted - existing)],
        Invitation,
        default_user=by,
    )
    return campaign


@transaction.atomic
def campaign_open(*, campaign: Campaign, by: User) -> Campaign:
    """Open a draft campaign: freeze its questionnaire and, in the same
    transaction, ask for the job that writes every invited respondent's
    invitation to the outbox (surveys.tasks.campaign_invite), handed to the
    broker on commit. A broker outage does not fail the request: the job
    waits pending for the sweep. Safe to call twice: the second call finds
    the campaign open and changes nothing."""
    from core.jobs import job_enqueue

    from .tasks import INVITE_JOB

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.OPEN:
        return campaign
    if campaign.status != Campaign.Status.DRAFT:
        raise PortalError(CAMPAIGN_NOT_DRAFT)
    if not campaign.invitations.exists():
        raise PortalError(NO_INSTITUTES)
    now = timezone.now()
    questionnaire = Questionnaire.objects.select_for_update().get(pk=campaign.questionnaire_id)
    if not questionnaire.is_frozen:
        questionnaire.frozen_at = now
        questionnaire.save(update_fields=["frozen_at"])
    campaign.status = Campaign.Status.OPEN
    campaign.opened_at = now
    campaign.save(update_fields=["status", "opened_at"])
    job_enqueue(name=INVITE_JOB, kwargs={"campaign_id": campaign.pk}, by=by)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, by: User) -> Campaign:
    """Close an open campaign: no response can be started, changed or
    submitted any more (campaign_reopen undoes it). A draft was never
    opened and is refused; closing a closed campaign changes nothing."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.DRAFT:
        raise PortalError(CAMPAIGN_DRAFT_NOT_CLOSABLE)
    if campaign.status == Campaign.Status.CLOSED:
        return campaign
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    return campaign


def _deadline_check(campaign: Campaign, closes_on: date, today: date) -> None:
    if closes_on < today:
        raise ValidationError({"closes_on": DEADLINE_IN_PAST})
    if closes_on < campaign.opens_on:
        raise ValidationError({"closes_on": DEADLINE_BEFORE_OPENING})


def _deadline_moved(*, campaign: Campaign, by: User, today: date) -> int:
    """After the open campaign's deadline moved to `campaign.closes_on`: tell the respondents of every institute that has
    not submitted (one outbox row per change and recipient: the key names
    this change), and reschedule the automatic reminder of those already
    reminded, once, for the new deadline, unless the new reminder day has
    already come (the deadline email says the same). Returns emails written."""
    from .tasks import DEADLINE_TEMPLATE, institute_has_submitted, institute_notify

    change = uuid4()
    remind_on = campaign.closes_on - timedelta(days=campaign.reminder_days)
    written = 0
    reschedule = []
    for invitation in campaign.invitations.select_related("campaign", "institute").order_by("pk"):
        if institute_has_submitted(invitation):
            continue
        key = f"deadline:campaign={campaign.pk}:institute={invitation.institute_id}:to={campaign.closes_on.isoformat()}:{change}"
        written += institute_notify(invitation=invitation, template=DEADLINE_TEMPLATE, key=key, by=by)
        if invitation.reminder_sent_at is not None and remind_on > today:
            reschedule.append(invitation.pk)
    if reschedule:
        Invitation.objects.filter(pk__in=reschedule).update(reminder_sent_at=None)
    return written


@transaction.atomic
def campaign_set_deadline(*, campaign: Campaign, closes_on: date, by: User, today: date | None = None) -> int:
    """Extend the deadline of an open campaign to `closes_on` (later than the
    current one, today or later). The respondents of institutes that have not
    submitted are told the new deadline by email, and the automatic reminder
    is rescheduled (see _deadline_moved). The same date again changes
    nothing and writes nothing, so a re-sent form mails nobody twice.
    Returns the emails written."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.OPEN:
        raise PortalError(CAMPAIGN_NOT_OPEN_FOR_DEADLINE)
    if closes_on == campaign.closes_on:
        return 0
    _deadline_check(campaign, closes_on, today)
    if closes_on < campaign.closes_on:
        raise ValidationError({"closes_on": DEADLINE_EARLIER % {"deadline": formats.date_format(campaign.closes_on)}})
    campaign.closes_on = closes_on
    campaign.save(update_fields=["closes_on"])
    return _deadline_moved(campaign=campaign, by=by, today=today)


@transaction.atomic
def campaign_reopen(*, campaign: Campaign, closes_on: date, by: User, today: date | None = None) -> int:
    """Reopen a closed campaign until `closes_on` (today or later), so that
    responses can be changed and submitted again. If the deadline moves, the
    respondents who have not submitted are told as by campaign_set_deadline.
    Reopening an open campaign is refused. Returns the emails written."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.CLOSED:
        raise PortalError(CAMPAIGN_NOT_CLOSED)
    _deadline_check(campaign, closes_on, today)
    previous = campaign.closes_on
    campaign.status = Campaign.Status.OPEN
    campaign.closes_on = closes_on
    campaign.save(update_fields=["status", "closes_on"])
    if closes_on == previous:
        return 0
    return _deadline_moved(campaign=campaign, by=by, today=today)


@transaction.atomic
def campaign_remind_institute(*, campaign: Campaign, institute: Institute, click: str, by: User) -> int:
    """The Secretariat's button: remind one institute's respondents now.
    `click` identifies the button press (a UUID rendered into the page), so
    a double click or a re-sent form writes nothing more, and a retried send
    task never multiplies the rows; each new press of the button writes its
    own set. Refused once the institute has submitted. Returns the number of
    emails written (0 for a press already handled)."""
    from .tasks import institute_has_submitted, institute_notify

    click = _click_key(click)
    invitation = Invitation.objects.select_for_update().select_related("campaign", "institute").get(
        campaign=campaign, institute=institute
    )
    if institute_has_submitted(invitation):
        raise PortalError(INSTITUTE_HAS_SUBMITTED)
    key = f"reminder-manual:campaign={campaign.pk}:institute={institute.pk}:{click}"
    count = institute_notify(invitation=invitation, template="reminder", key=key, by=by)
    if count:
        Invitation.objects.filter(pk=invitation.pk).update(last_manual_reminder_at=timezone.now())
    return count


def _click_key(click: str) -> str:
    try:
        return str(UUID(str(click)))
    except ValueError:
        return str(uuid4())  # a form without its key: one of its own


@transaction.atomic
def campaign_remind_all(*, campaign: Campaign, click: str, by: User) -> tuple[int, int]:
    """The Secretariat's button: remind now every invited institute of the
    open campaign that has not submitted. Like campaign_remind_institute,
    `click` identifies the press, so each respondent gets exactly one email
    per press however often the form is sent. Returns (institutes reminded,
    emails written); (0, 0) for a press already handled."""
    from .tasks import institute_notify

    if campaign.status != Campaign.Status.OPEN:
        raise PortalError(CAMPAIGN_NOT_OPEN)
    click = _click_key(click)
    submitted = Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED).values("institute_id")
    invitations = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(campaign=campaign)
        .exclude(institute_id__in=submitted)
        .select_related("campaign", "institute")
        .order_by("pk")
    )
    institutes = emails = 0
    reminded = []
    for invitation in invitations:
        key = f"reminder-all:campaign={campaign.pk}:institute={invitation.institute_id}:{click}"
        count = institute_notify(invitation=invitation, template="reminder", key=key, by=by)
        if count:
            institutes += 1
            emails += count
            reminded.append(invitation.pk)
    if reminded:
        Invitation.objects.filter(pk__in=reminded).update(last_manual_reminder_at=timezone.now())
    return institutes, emails


# --- Responses --------------------------------------------------------------

@transaction.atomic
def response_start(*, campaign: Campaign, institute: Institute, by: User) -> Response:
    """The institute's response to the campaign, created as a draft on first
    use. Colleagues of one institute share it."""
    if campaign.status != Campaign.Status.OPEN:
        existing = Response.objects.filter(campaign=campaign, institute=institute).first()
        if existing:
            return existing
        raise PortalError(CAMPAIGN_NOT_OPEN)
    response, _created = Response.objects.get_or_create(campaign=campaign, institute=institute)
    return response


def response_check_editable(response: Response) -> None:
    """PortalError unless `response` may still be changed by its institute."""
    _check_editable(response)


def _check_editable(response: Response) -> None:
    if response.status == Response.Status.SUBMITTED:
        raise PortalError(ALREADY_SUBMITTED)
    if response.campaign.status != Campaign.Status.OPEN:
        raise PortalError(CAMPAIGN_NOT_OPEN)


def _bump_revision(response: Response, revision: int | None) -> None:
    """Claim the next revision of `response` for a write from a form that was
    loaded at `revision`; ConflictError when somebody saved since, or when
    the form sent no revision (core.concurrency)."""
    revision_claim(response, revision=revision, message=CONFLICT, touch={"updated_at": timezone.now()})


@transaction.atomic
def response_save(*, response: Response, revision: int | None, by: User, **fields) -> Response:
    """Save the response's own answers (self-classification, comment) as a draft."""
    _check_editable(response)
    _bump_revision(response, revision)
    for name, value in fields.items():
        setattr(response, name, value)
    response.save(update_fields=[*fields, "updated_at"])
    return response


ITEM_FIELDS = (
    "activity_type", "area", "subfield", "subject", "measurement_range", "period_from", "period_to", "comment",
    "target_uncertainty", "priority",
    "capacity", "languages", "conditions", "customs_paid_by", "location",
)


@transaction.atomic
def item_add(*, response: Response, revision: int | None, by: User, **fields) -> Need | Offer:
    """Add a need or offer (by the campaign's kind) with `fields` to a draft
    loaded at `revision`. The questionnaire calls this only when the new
    item's form is saved with something in it, so "Add" then "Cancel"
    leaves nothing behind. Values are checked as item_save checks them."""
    _check_editable(response)
    model = response.campaign.item_model
    if model is None:
        raise PortalError(NO_ITEMS)
    last = model.objects.filter(response=response).order_by("-position").values_list("position", flat=True).first()
    item = model(response=response, position=(last or 0) + 1)
    for name, value in fields.items():
        setattr(item, name, value)
    item_values_check(item)
    item.full_clean(exclude=["response", "position"])
    _bump_revision(response, revision)
    item.save()
    return item


def item_is_empty(item: Need | Offer) -> bool:
    """Whether nothing at all was entered in `item`."""
    return all(getattr(item, name) in (None, "") for name in ITEM_FIELDS if hasattr(item, name))


def item_values_check(item: Need | Offer) -> None:
    """The domain rules of one need or offer's values, for the questionnaire,
    the admin and submitting alike: ValidationError by field."""
    errors = {}
    if hasattr(item, "capacity"):
        try:
            validate_capacity(item.capacity)
        except ValidationError as error:
            errors["capacity"] = error.messages[0]
    if item.subfield_id and item.area_id and item.subfield.area_id != item.area_id:
        errors["subfield"] = SUBFIELD_NOT_IN_AREA
    if item.period_from and item.period_to and item.period_from > item.period_to:
        errors["period_to"] = PERIOD_REVERSED
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_save(*, item: Need | Offer, revision: int | None, by: User, **fields) -> Need | Offer:
    """Save one need or offer of a draft. Values must make sense (a sub-field
    of the chosen area, a period in order), but nothing is required yet."""
    response = item.response
    _check_editable(response)
    for name, value in fields.items():
        setattr(item, name, value)
    item_values_check(item)
    # The model's own rules too: lengths, choices, the integer range of the
    # database (a capacity of 2**31 is a message, not a database error).
    item.full_clean(exclude=["response", "position"])
    _bump_revision(response, revision)
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: Need | Offer, revision: int | None, by: User) -> None:
    _check_editable(item.response)
    _bump_revision(item.response, revision)
    item.delete()


def submission_errors(response: Response) -> tuple[list[str], dict[int, dict[str, str]]]:
    """What stops `response` from being submitted: general messages, and per
    item id the fields at fault with their messages."""
    general: list = []
    per_item: dict[int, dict[str, str]] = {}
    kind = response.campaign.kind
    if kind == CampaignKind.SELF_CLASSIFICATION:
        if response.considers_ceems is None:
            general.append(ANSWER_REQUIRED)
        return general, per_item
    items = list(response.campaign.item_model.objects.filter(response=response))
    required = REQUIRED_OFFER_FIELDS if kind == CampaignKind.OFFERS else REQUIRED_NEED_FIELDS
    if not items:
        general.append(EMPTY_RESPONSE)
    year_start = date(response.campaign.year, 1, 1)
    for item in items:
        if item_is_empty(item):
            per_item[item.pk] = {"__all__": EMPTY_ITEM_AT_SUBMIT}
            continue
        errors = {}
        if item.period_to and item.period_to < year_start:
            # Last year's period, copied or typed: this campaign asks about its own year.
            errors["period_to"] = PERIOD_OUTDATED % {"year": response.campaign.year}
        for field in required:
            if getattr(item, field) in (None, ""):
                errors[field] = REQUIRED
        if item.activity_type in AREA_REQUIRED_TYPES and item.area_id is None:
            errors["area"] = REQUIRED
        try:
            item_values_check(item)
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
        if errors:
            per_item[item.pk] = errors
    return general, per_item


class SubmissionInvalid(PortalError):
    def __init__(self, general, per_item):
        super().__init__(SUBMIT_HAS_ERRORS, code="invalid")
        self.general = general
        self.per_item = per_item


@transaction.atomic
def response_submit(*, response: Response, by: User, today: date | None = None) -> Response:
    """Check everything and submit. Refused after the deadline (the draft
    stays as it is) and when something is missing, with every problem."""
    response = Response.objects.select_for_update().select_related("campaign").get(pk=response.pk)
    today = today or timezone.localdate()
    if response.status == Response.Status.SUBMITTED:
        raise PortalError(ALREADY_SUBMITTED)
    if response.campaign.status != Campaign.Status.OPEN:
        raise PortalError(CAMPAIGN_NOT_OPEN)
    if today > response.submit_by:
        raise PortalError(DEADLINE_PASSED, code="deadline")
    general, per_item = submission_errors(response)
    if general or per_item:
        raise SubmissionInvalid(general, per_item)
    response.status = Response.Status.SUBMITTED
    response.submitted_at = timezone.now()
    response.submitted_by = by
    response.revision += 1
    response.save()
    response_submitted_notify(response=response, by=by)
    return response


def response_submitted_notify(*, response: Response, by: User | None) -> int:
    """Tell the institute's respondents and the Secretariat that `response`
    has just been submitted: one outbox row per person (core.outbox.notify),
    each in their own language, written in the caller's transaction and sent
    after commit. The institute's email carries the answers as submitted, as
    an XLSX file in the recipient's language (its bytes are kept with the
    row, so a retry sends the same file). The key names the submission (the
    response's revision), so a second call for the same submission writes
    nothing, and a submission after a reopening is told again. Returns the
    rows written."""
    from django.conf import settings
    from django.urls import reverse_lazy
    from django.utils.text import format_lazy

    from core.outbox import notify
    from institutes.models import Role
    from institutes.selectors import respondents_to_email

    key = f"response-submitted:response={response.pk}:revision={response.revision}"
    link = format_lazy("{}{}", settings.SITE_URL.rstrip("/"), reverse_lazy("surveys:response_detail", args=[response.pk]))
    context = {"response": response, "campaign": response.campaign, "institute": response.institute, "submitted_by": by, "link": link}
    attachments = None
    if response.campaign.item_model is not None and by is not None:
        def attachments():
            return [response_xlsx(response=response, reader=by)]
    rows = notify(
        to=respondents_to_email(institute=response.institute).order_by("pk"),
        key=f"{key}:institute",
        template="surveys/emails/submitted_institute",
        context=context,
        by=by,
        attachments=attachments,
    )
    secretariat = User.objects.filter(is_active=True, groups__name=Role.SECRETARIAT).exclude(email="").order_by("pk")
    rows += notify(
        to=secretariat, key=f"{key}:secretariat", template="surveys/emails/submitted_secretariat", context=context, by=by
    )
    return len(rows)


def response_xlsx(*, response: Response, reader: User) -> tuple[str, bytes, str]:
    """The needs or offers of `response` as an XLSX file, in the active
    language, with the columns of the summary's export, as `reader` may read
    them (whoever submitted it may): (file name, bytes, content type)."""
    from .summary import summary_items
    from .summary_export import CONTENT_TYPES, summary_xlsx

    items = summary_items(year=response.campaign.year, filters={"response": response.pk}, user=reader)
    filename = f"ceems-{response.campaign.kind}-{response.campaign.year}-{response.institute.acronym}.xlsx"
    return filename, summary_xlsx(items=items, title=str(response.campaign)), CONTENT_TYPES["xlsx"]


@transaction.atomic
def response_reopen(
    *, response: Response, reason: str, by: User, deadline: date | None = None, today: date | None = None
) -> Response:
    """The Secretariat reopens a submitted response so its institute can
    change it; the reason is recorded and shown to the respondents. Only in
    an open campaign (a closed one is reopened first). `deadline` is the
    institute's personal extension: required once the campaign's deadline
    has passed, so that the institute can submit again."""
    today = today or timezone.localdate()
    response = Response.objects.select_for_update().select_related("campaign").get(pk=response.pk)
    if response.status != Response.Status.SUBMITTED:
        raise PortalError(NOT_SUBMITTED)
    if response.campaign.status != Campaign.Status.OPEN:
        raise PortalError(REOPEN_CAMPAIGN_NOT_OPEN)
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if deadline is not None and deadline < today:
        raise ValidationError({"deadline": PERSONAL_DEADLINE_IN_PAST})
    if deadline is None and response.campaign.closes_on < today:
        raise ValidationError({"deadline": PERSONAL_DEADLINE_NEEDED})
    response.deadline = deadline
    response.status = Response.Status.REOPENED
    response.reopen_reason = reason.strip()
    response.revision += 1
    response.save()
    _reopened_notify(response=response, by=by)
    return response


def _reopened_notify(*, response: Response, by: User) -> int:
    """Tell the institute's respondents that their response is open again,
    why, and until when: one email per reopening and respondent (the key
    names the response's revision, which each reopening moves)."""
    from core.outbox import notify
    from institutes.selectors import respondents_to_email

    link = format_lazy("{}{}", settings.SITE_URL.rstrip("/"), reverse_lazy("surveys:response_detail", args=[response.pk]))
    rows = notify(
        to=respondents_to_email(institute=response.institute).order_by("pk"),
        key=f"reopened:response={response.pk}:revision={response.revision}",
        template="surveys/emails/reopened",
        context={"response": response, "campaign": response.campaign, "institute": response.institute, "link": link},
        by=by,
    )
    return len(rows)


def _moved_by_years(day: date | None, years: int) -> date | None:
    """`day`, `years` later (29 February becomes 28 February)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def previous_response(response: Response) -> Response | None:
    """The institute's latest earlier response of the same kind, if any."""
    return (
        Response.objects.filter(
            institute=response.institute,
            campaign__kind=response.campaign.kind,
            campaign__year__lt=response.campaign.year,
        )
        .select_related("campaign")
        .order_by("-campaign__year")
        .first()
    )


@transaction.atomic
def response_copy_previous(*, response: Response, revision: int | None, by: User) -> int:
    """Copy the items of the institute's latest earlier response of the same
    kind into this draft ("start from last year's answers"). Returns how many
    items were copied.

    Only into a response with no items yet: a second click (or a colleague's
    click at the same time) finds items and copies nothing, with
    ALREADY_HAS_ITEMS, so nothing is ever copied twice. Each copied period
    moves forward by as many years as lie between the two campaigns, so a
    copy never keeps last year's dates; the respondent reviews them, and
    submitting refuses a period that still ended before the campaign's year.
    The earlier response is not changed."""
    response = Response.objects.select_for_update().select_related("campaign", "institute").get(pk=response.pk)
    _check_editable(response)
    previous = previous_response(response)
    if previous is None:
        raise PortalError(NO_PREVIOUS)
    if response.campaign.kind == CampaignKind.SELF_CLASSIFICATION:
        _bump_revision(response, revision)
        response.considers_ceems = previous.considers_ceems
        response.ceems_reason = previous.ceems_reason
        response.save(update_fields=["considers_ceems", "ceems_reason"])
        return 1
    model = response.campaign.item_model
    if model.objects.filter(response=response).exists():
        raise PortalError(ALREADY_HAS_ITEMS, code="has_items")
    _bump_revision(response, revision)
    years = response.campaign.year - previous.campaign.year
    copies = []
    for position, item in enumerate(model.objects.filter(response=previous).order_by("position", "pk"), start=1):
        item.pk = None
        item.id = None
        item.response = response
        item.position = position
        item.period_from = _moved_by_years(item.period_from, years)
        item.period_to = _moved_by_years(item.period_to, years)
        copies.append(item)
    # With history, like every other change people make to a response.
    bulk_create_with_history(copies, model, default_user=by)
    return len(copies)


@transaction.atomic
def self_classification_accept(*, response: Response, by: User) -> CeemsStatus:
    """The Secretariat accepts a submitted self-classification: the country's
    CEEMS status for the campaign's year becomes the answer given."""
    if response.status != Response.Status.SUBMITTED:
        raise PortalError(NOT_SUBMITTED)
    status, _created = CeemsStatus.objects.update_or_create(
        country=response.institute.country,
        year=response.campaign.year,
        defaults={"is_ceems": bool(response.considers_ceems), "note": response.ceems_reason[:255]},
    )
    response.accepted_at = timezone.now()
    response.accepted_by = by
    response.save(update_fields=["accepted_at", "accepted_by"])
    return status
