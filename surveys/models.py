"""Survey campaigns, the responses of institutes, and their needs and offers."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from institutes.models import Institute, MetrologyArea, SubField


# What an offer may say it can do in a year: nothing is not an offer, and
# more than the maximum is a typing error. One rule for the questionnaire,
# the admin and the spreadsheet import: `validate_capacity`, the validator of
# Offer.capacity, with these bounds.
MIN_CAPACITY = 1
MAX_CAPACITY = 10_000
CAPACITY_OUT_OF_RANGE = _("Enter a capacity from %(min)s to %(max)s a year.")


def validate_capacity(value: int | None) -> None:
    if value is not None and not MIN_CAPACITY <= value <= MAX_CAPACITY:
        raise ValidationError(
            CAPACITY_OUT_OF_RANGE, code="capacity_range", params={"min": MIN_CAPACITY, "max": MAX_CAPACITY}
        )


# The longest free text each answer takes, well under the 32,767 characters
# a spreadsheet cell holds, so an export never cuts one. The forms say the
# limit next to the field (core.forms.CleanTextMixin).
ITEM_COMMENT_MAX_LENGTH = 2000
RESPONSE_COMMENT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 2000
INTRODUCTION_MAX_LENGTH = 5000


def limited_text(limit: int) -> dict:
    """The keyword arguments of a TextField of at most `limit` characters:
    max_length for its form field, and the validator that makes full_clean()
    refuse more (a TextField's max_length alone is not validated)."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


class ActivityType(models.TextChoices):
    """One list, used by needs, offers and the Programme's activities."""

    COMPARISON = "comparison", _("Comparison")
    CALIBRATION = "calibration", _("Calibration")
    TRAINING = "training", _("Training event")
    INTERNSHIP = "internship", _("Internship")
    PROCEDURE = "procedure", _("Calibration-procedure development")
    PREREVIEW = "prereview", _("Peer-review (prereview) preparation")
    JOINT_PROJECT = "joint_project", _("Joint project")
    INTERNATIONAL = "international", _("Participation in international bodies")
    INFORMATION = "information", _("Information support")


class CampaignKind(models.TextChoices):
    SELF_CLASSIFICATION = "self_classification", _("CEEMS self-classification")
    NEEDS = "needs", _("CEEMS needs")
    OFFERS = "offers", _("Donor offers")


class Questionnaire(models.Model):
    """The text a campaign asks with. Frozen when a campaign using it opens:
    an edit after that makes a new version, so answers already given always
    refer to the questions they answered."""

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="questionnaire_one_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CampaignQuerySet":
        """Campaigns a user may open: all of them for the Secretariat and
        readers of the summary; for a respondent, the open or closed ones
        their institute is invited to."""
        from institutes.models import Role

        if user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
            return self
        if user.has_role(Role.RESPONDENT) and user.institute_id:
            return self.filter(invitations__institute_id=user.institute_id).exclude(
                status=Campaign.Status.DRAFT
            )
        return self.none()


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    introduction = models.TextField(_("introduction"), blank=True, **limited_text(INTRODUCTION_MAX_LENGTH))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("deadline"), help_text=_("Last day on which a response can be submitted."))
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder days before the deadline"),
        default=7,
        help_text=_("Institutes that have not submitted are reminded once, this many days before the deadline."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    institutes = models.ManyToManyField(
        Institute, through="Invitation", related_name="campaigns", verbose_name=_("invited institutes")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(opens_on__lte=F("closes_on")), name="campaign_opens_before_close"),
            models.UniqueConstraint(fields=["kind", "year"], name="campaign_one_per_kind_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:campaign_detail", args=[self.pk])

    @property
    def item_model(self) -> type["SurveyItem"] | None:
        """Need or Offer: what this campaign's responses list (None for a
        self-classification, which lists nothing)."""
        return ITEM_MODELS.get(self.kind)


class Invitation(models.Model):
    """An institute invited to a campaign; the *_sent_at flags make the
    invitation and the automatic reminder go out exactly once."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="invitations")
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    last_manual_reminder_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "institute"], name="invitation_once_per_institute")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.institute}"


class ResponseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ResponseQuerySet":
        """The Secretariat sees every response; a respondent sees their own
        institute's; the task group and Committee read submitted ones."""
        from institutes.models import Role

        if user.has_role(Role.SECRETARIAT):
            return self
        mine = Q(institute_id=user.institute_id) if user.has_role(Role.RESPONDENT) and user.institute_id else Q(pk__in=[])
        if user.has_role(Role.TASKGROUP, Role.COMMITTEE):
            return self.filter(mine | Q(status=Response.Status.SUBMITTED))
        return self.filter(mine)


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("campaign"))
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="responses", verbose_name=_("institute"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Self-classification answer.
    considers_ceems = models.BooleanField(_("the country counts itself as CEEMS"), null=True, blank=True)
    ceems_reason = models.TextField(_("why"), blank=True, **limited_text(REASON_MAX_LENGTH))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Contact for this response and general comment.
    comment = models.TextField(_("general comment"), blank=True, **limited_text(RESPONSE_COMMENT_MAX_LENGTH))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True, **limited_text(REASON_MAX_LENGTH))
    # A personal extension the Secretariat gives when reopening a response:
    # the institute may submit until the later of this and the campaign's deadline.
    deadline = models.DateField(
        _("personal deadline"),
        null=True,
        blank=True,
        help_text=_("Given when the response is reopened: the institute may submit until this day, even after the campaign's deadline."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every save of the response or one of its items
    # bumps it; a form posted with an older number is a conflict.
    revision = models.PositiveIntegerField(default=1)

    objects = ResponseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["campaign", "institute__country__iso2", "institute__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "institute"], name="response_one_per_institute_and_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.institute} — {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.SUBMITTED and self.campaign.status == Campaign.Status.OPEN

    @property
    def submit_by(self):
        """The last day this response can be submitted: the campaign's
        deadline, or the institute's personal one if that is later."""
        closes_on = self.campaign.closes_on
        return max(closes_on, self.deadline) if self.deadline else closes_on


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Conditions(models.TextChoices):
    FREE = "free", _("Free of charge")
    COST_SHARING = "cost_sharing", _("Cost-sharing")
    CONTRACT = "contract", _("Contract basis")


class PaidBy(models.TextChoices):
    RECIPIENT = "recipient", _("The recipient (CEEMS NMI)")
    PROVIDER = "provider", _("The provider")
    SHARED = "shared", _("Shared")


class Language(models.TextChoices):
    """The working language(s) of a need or an offer. COOMET works in
    Russian and English, so these three answers cover it. ("English" has a
    context of its own: the plain msgid is the name of the interface
    language in settings.LANGUAGES, which stays "English" in Russian.)"""

    RU = "ru", _("Russian")
    EN = "en", pgettext_lazy("working language", "English")
    RU_EN = "ru_en", _("Russian and English")


# Each answer as the ISO 639-1 codes it stands for, sorted: what the
# matching engine compares (programme.matching.data: Need.languages,
# Offer.languages).
_ISO_CODES = {Language.RU: ("ru",), Language.EN: ("en",), Language.RU_EN: ("en", "ru")}


def language_iso_codes(value: str) -> tuple[str, ...]:
    """The ISO 639-1 codes of a stored `languages` answer, sorted: ("en",
    "ru") for "ru_en", () for a blank (or unknown) answer. The one
    translation of the portal's value into the matching engine's, for
    needs and offers alike."""
    return _ISO_CODES.get(value, ())


# The obvious working language of an institute, by its country's ISO 3166
# code: Russian for the Russian-speaking members of COOMET (the CEEMS
# countries of the source document, Armenia, Kyrgyzstan, Tajikistan and
# Uzbekistan, among them). A country not listed has no obvious default
# (COOMET also works in English, and e.g. Georgia, Ukraine or the members
# of other RMOs may answer either way): its new needs start blank and the
# respondent chooses.
_DEFAULT_LANGUAGES = {
    iso2: Language.RU for iso2 in ("AM", "AZ", "BY", "KG", "KZ", "MD", "RU", "TJ", "UZ")
}


def default_working_languages(country_iso2: str) -> str:
    """The `languages` a new need of an institute of this country starts
    with (a value of Language), or "" where no default is obvious. The one
    rule; the questionnaire's need form asks it."""
    return _DEFAULT_LANGUAGES.get((country_iso2 or "").upper(), "")


class SurveyItem(models.Model):
    """What needs and offers share. Every field may be empty in a draft;
    submitting checks the required ones (surveys.services.REQUIRED_*)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("response"))
    activity_type = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices, blank=True)
    area = models.ForeignKey(
        MetrologyArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("metrology area")
    )
    subfield = models.ForeignKey(
        SubField, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sub-field")
    )
    subject = models.CharField(
        _("what exactly"),
        max_length=300,
        blank=True,
        help_text=_("Quantity, and the instrument or standard."),
    )
    measurement_range = models.CharField(
        _("range"), max_length=100, blank=True, help_text=_("Measurement range, e.g. 1 mg – 20 kg.")
    )
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, **limited_text(ITEM_COMMENT_MAX_LENGTH))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_from__isnull=True) | Q(period_to__isnull=True) | Q(period_from__lte=F("period_to")),
                name="%(class)s_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"


class Need(SurveyItem):
    target_uncertainty = models.CharField(_("target uncertainty"), max_length=100, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    languages = models.CharField(
        _("working language(s)"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("The language(s) your specialists can work in with the provider, in the activity itself and in its documents. Offers in a shared language are preferred."),
    )

    history = HistoricalRecords()

    class Meta(SurveyItem.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")


class Offer(SurveyItem):
    capacity = models.PositiveIntegerField(
        _("capacity per year"),
        null=True,
        blank=True,
        help_text=_("How many calibrations, internship places or participants a year."),
        validators=[validate_capacity],
    )
    languages = models.CharField(_("language(s)"), max_length=8, choices=Language.choices, blank=True)
    conditions = models.CharField(_("conditions"), max_length=16, choices=Conditions.choices, blank=True)
    customs_paid_by = models.CharField(
        _("customs and logistics paid by"), max_length=10, choices=PaidBy.choices, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta(SurveyItem.Meta):
        verbose_name = _("offer")
        verbose_name_plural = _("offers")


# What each kind of campaign asks for, item by item.
ITEM_MODELS = {CampaignKind.NEEDS: Need, CampaignKind.OFFERS: Offer}


class SummaryStamp(models.Model):
    """One row (id 1) whose version moves on with every committed change to
    what the summary table shows: needs, offers, responses, campaigns,
    institutes, countries, areas and sub-fields. Database triggers move it
    (migration 0004_summary_stamp), so every way of writing counts, the
    import's bulk writes and the admin included; the summary's cached pages
    are keyed by it (surveys.summary.summary_version)."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("summary version")
        verbose_name_plural = _("summary versions")
