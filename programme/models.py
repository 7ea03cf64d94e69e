"""The Programme of activities, its yearly versions and activities, and the
matching runs and decisions that feed its draft.

A Programme covers a period of years (2022-2026). Each year it has a
version (a revision within a year is a new version of that year); a
published version is frozen. An Activity belongs to one version; the same
activity in the next version is a new row with the same `lineage`, which
is how versions are compared and how an activity is followed from year to
year.

Matching (`programme.matching` is the engine, `programme.services` feeds
it) proposes activities from a year's needs and offers. Every run is kept
(`MatchingRun`, the engine's result as JSON, and one `Proposal` row per
proposed activity). What the Secretariat decides is kept per (need, offer)
pair (`MatchDecision`), not per proposal, so a new run after new answers
keeps every decision: an accepted pair stays assigned and a rejected pair is
never proposed again.
"""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutes.models import Institute, MetrologyArea, Role, SubField
from surveys.models import ActivityType, Conditions, Need, Offer, limited_text

DESCRIPTION_MAX_LENGTH = 5000
NOTES_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 2000


class Direction(models.TextChoices):
    """The directions of support of the source document: the Programme's
    sections, in its order."""

    TECHNICAL = "technical", _("Technical assistance: comparisons and calibrations")
    TRAINING = "training", _("Training events and internships")
    PROJECTS = "projects", _("Cooperation in specific projects")
    INTERNATIONAL = "international", _("Involving CEEMS specialists in international metrology organisations")
    INFORMATION = "information", _("Information support")


# The direction each activity type belongs to: one table, in one place.
DIRECTION_OF_TYPE = {
    ActivityType.COMPARISON: Direction.TECHNICAL,
    ActivityType.CALIBRATION: Direction.TECHNICAL,
    ActivityType.PROCEDURE: Direction.TECHNICAL,
    ActivityType.PREREVIEW: Direction.TECHNICAL,
    ActivityType.TRAINING: Direction.TRAINING,
    ActivityType.INTERNSHIP: Direction.TRAINING,
    ActivityType.JOINT_PROJECT: Direction.PROJECTS,
    ActivityType.INTERNATIONAL: Direction.INTERNATIONAL,
    ActivityType.INFORMATION: Direction.INFORMATION,
}


def direction_of(activity_type: str) -> str:
    return DIRECTION_OF_TYPE.get(activity_type, Direction.TECHNICAL).value


# --- Quarters ------------------------------------------------------------------
# A planned quarter is stored as one integer, year * 10 + quarter (20231 is
# the first quarter of 2023): readable in the database, ordered as time is.

def quarter_code(year: int, quarter: int) -> int:
    return year * 10 + quarter


def quarter_parts(code: int) -> tuple[int, int]:
    return divmod(code, 10)


def validate_quarter(code: int | None) -> None:
    if code is None:
        return
    year, quarter = quarter_parts(code)
    if not (1 <= quarter <= 4 and 1900 <= year <= 2200):
        raise ValidationError(_("Choose a quarter from the list."), code="quarter")


class Programme(models.Model):
    title = models.CharField(_("title"), max_length=255)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-first_year"]
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="programme_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.first_year}–{self.last_year}"

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    @property
    def first_quarter(self) -> int:
        return quarter_code(self.first_year, 1)

    @property
    def last_quarter(self) -> int:
        return quarter_code(self.last_year, 4)


class VersionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VersionQuerySet":
        """The Secretariat and the task group see every version, drafts
        included; the Committee sees published ones; a respondent sees
        published ones and the version their institute is consulted on."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.SECRETARIAT, Role.TASKGROUP):
            return self
        shown = Q(status=ProgrammeVersion.Status.PUBLISHED)
        if user.has_role(Role.COMMITTEE):
            return self.filter(shown)
        if user.has_role(Role.RESPONDENT) and user.institute_id:
            return self.filter(shown | Q(status=ProgrammeVersion.Status.CONSULTATION))
        return self.none()


class ProgrammeVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSULTATION = "consultation", _("In consultation")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    consultation_opened_at = models.DateTimeField(_("consultation opened at"), null=True, blank=True)
    consultation_closed_at = models.DateTimeField(_("consultation closed at"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    objects = VersionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Programme version")
        verbose_name_plural = _("Programme versions")
        ordering = ["programme", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "number"], name="programme_version_unique"),
        ]

    def __str__(self) -> str:
        if self.number > 1:
            return f"{self.programme} — {self.year} ({self.number})"
        return f"{self.programme} — {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("programme:version_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Activities may be added and changed: a draft, or a version in
        consultation (answering a comment may change the activity)."""
        return self.status in (self.Status.DRAFT, self.Status.CONSULTATION)


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityQuerySet":
        """The activities of the versions the user sees; of a version in
        consultation, a respondent sees only those that concern their
        institute (as recipient or provider)."""
        visible = self.filter(version__in=ProgrammeVersion.objects.visible_to(user))
        if not user.is_authenticated or user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
            return visible
        concerns = Q(recipients=user.institute_id) | Q(providers=user.institute_id)
        own = Activity.objects.filter(concerns, version__status=ProgrammeVersion.Status.CONSULTATION).values("pk")
        return visible.filter(Q(version__status=ProgrammeVersion.Status.PUBLISHED) | Q(pk__in=own))


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    # The statuses that need a reason.
    NEEDS_REASON = (Status.POSTPONED, Status.CANCELLED)

    version = models.ForeignKey(
        ProgrammeVersion, on_delete=models.CASCADE, related_name="activities", verbose_name=_("version")
    )
    # The same activity in every version has the same lineage.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("carried over from"),
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    activity_type = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True, **limited_text(DESCRIPTION_MAX_LENGTH))
    area = models.ForeignKey(
        MetrologyArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    subfield = models.ForeignKey(
        SubField, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sub-field")
    )
    recipients = models.ManyToManyField(
        Institute, related_name="activities_received", blank=True, verbose_name=_("recipients")
    )
    providers = models.ManyToManyField(
        Institute, related_name="activities_provided", blank=True, verbose_name=_("providers")
    )
    needs = models.ManyToManyField(Need, related_name="activities", blank=True, verbose_name=_("needs"))
    offers = models.ManyToManyField(Offer, related_name="activities", blank=True, verbose_name=_("offers"))
    first_quarter = models.PositiveIntegerField(
        _("from quarter"), null=True, blank=True, validators=[validate_quarter]
    )
    last_quarter = models.PositiveIntegerField(
        _("to quarter"), null=True, blank=True, validators=[validate_quarter]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.TextField(_("reason"), blank=True, **limited_text(REASON_MAX_LENGTH))
    funding = models.CharField(_("funding basis"), max_length=16, choices=Conditions.choices, blank=True)
    responsible = models.CharField(_("responsible person"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, **limited_text(NOTES_MAX_LENGTH))
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[recipients, providers])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["version", "direction", "position", "pk"]
        indexes = [models.Index(fields=["version", "direction", "position"], name="activity_version_order")]
        constraints = [
            models.UniqueConstraint(fields=["version", "lineage"], name="activity_once_per_version"),
            models.CheckConstraint(
                condition=Q(first_quarter__isnull=True) | Q(last_quarter__isnull=True)
                | Q(last_quarter__gte=models.F("first_quarter")),
                name="activity_quarters_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programme:activity_detail", args=[self.pk])

    @property
    def quarters_label(self) -> str:
        return quarters_label(self.first_quarter, self.last_quarter)


def quarter_label(code: int | None) -> str:
    from django.utils.translation import gettext

    if not code:
        return ""
    year, quarter = quarter_parts(code)
    return gettext("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def quarters_label(first: int | None, last: int | None) -> str:
    if not first and not last:
        return ""
    if not last or first == last:
        return quarter_label(first or last)
    if not first:
        return quarter_label(last)
    return f"{quarter_label(first)} – {quarter_label(last)}"


class MatchingRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MatchingRunQuerySet":
        if user.is_authenticated and user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
            return self
        return self.none()


class MatchingRun(models.Model):
    """One run of the engine over a year's submitted needs and offers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to run")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The engine's Result.to_dict(), ids being database ids.
    result = models.JSONField(default=dict, blank=True)
    # What the matching page shows besides the proposals (which are rows):
    # unmatched, unsolicited, not_considered, offer_use and totals, so the
    # page reads neither the whole result nor the needs again.
    details = models.JSONField(default=dict, blank=True)
    needs_count = models.PositiveIntegerField(default=0)
    offers_count = models.PositiveIntegerField(default=0)
    proposals_count = models.PositiveIntegerField(default=0)

    objects = MatchingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


class Proposal(models.Model):
    """A proposed activity of one run: one offer and the needs it serves."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="proposals")
    key = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    activity_type = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices)
    score = models.IntegerField(_("score"), default=0)
    grouped = models.BooleanField(default=False)
    # The engine's proposal, as in the run's result.
    data = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="proposal_key_unique_in_run")]

    def __str__(self) -> str:
        return self.key


class MatchDecision(models.Model):
    """What the Secretariat decided for one (need, offer) pair."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="match_decisions")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="match_decisions")
    verdict = models.CharField(_("decision"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("reason"), blank=True, **limited_text(REASON_MAX_LENGTH))
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="match_decisions"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matching decision")
        verbose_name_plural = _("matching decisions")
        ordering = ["-decided_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="match_decision_once_per_pair")]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.offer_id}: {self.verdict}"



# --- Following the Programme through the year ----------------------------------
# Outcomes of done activities, the consultation on a draft version, and the
# reasons recorded at the annual update (programme.services.ProgrammeUpdate).

OUTCOME_TEXT_MAX_LENGTH = 4000
COMMENT_MAX_LENGTH = 4000


class ResultKind(models.TextChoices):
    NONE = "", _("No formal result")
    COMPARISON = "comparison", _("Comparison registered")
    CERTIFICATE = "certificate", _("Calibration certificate issued")
    CMC = "cmc", _("CMC submitted to the KCDB")
    TRAINED = "trained", _("Staff trained")
    PROCEDURE = "procedure", _("Procedure adopted")
    OTHER = "other", _("Other result")


class Outcome(models.Model):
    """What came of a done activity: when it was held, who took part, what it
    produced. One per activity row; the annual report reads it."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("activity")
    )
    held_from = models.DateField(_("held from"), null=True, blank=True)
    held_to = models.DateField(_("held to"), null=True, blank=True)
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Institutes and people who took part."),
        **limited_text(OUTCOME_TEXT_MAX_LENGTH),
    )
    participants_count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    result_kind = models.CharField(_("result"), max_length=12, choices=ResultKind.choices, blank=True)
    result_identifier = models.CharField(
        _("result identifier"), max_length=100, blank=True,
        help_text=_("For example the comparison's identifier COOMET.M.M-K1 or a certificate number."),
    )
    summary = models.TextField(_("summary"), blank=True, **limited_text(OUTCOME_TEXT_MAX_LENGTH))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(held_from__isnull=True) | Q(held_to__isnull=True) | Q(held_to__gte=models.F("held_from")),
                name="outcome_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity)


class OutcomeDocument(models.Model):
    """A document an outcome produced: a report, a certificate, a comparison
    report. Named and referenced (a number, a link), not stored here."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        CERTIFICATE = "certificate", _("Certificate")
        COMPARISON_REPORT = "comparison_report", _("Comparison report")
        OTHER = "other", _("Other document")

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORT)
    title = models.CharField(_("document"), max_length=255)
    reference = models.CharField(_("number or link"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome document")
        verbose_name_plural = _("outcome documents")
        ordering = ["outcome", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ConsultationCommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConsultationCommentQuerySet":
        """The Secretariat and the task group read every comment; a
        respondent reads those of their own institute."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.SECRETARIAT, Role.TASKGROUP):
            return self
        if user.has_role(Role.RESPONDENT) and user.institute_id:
            return self.filter(institute_id=user.institute_id)
        return self.none()


class ConsultationComment(models.Model):
    """An institute's comment on one activity of a version in consultation,
    and the Secretariat's answer."""

    class Stance(models.TextChoices):
        AGREE = "agree", _("Agree")
        CHANGE = "change", _("Ask for a change")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="comments", verbose_name=_("activity")
    )
    institute = models.ForeignKey(
        Institute, on_delete=models.CASCADE, related_name="programme_comments", verbose_name=_("institute")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    stance = models.CharField(_("position"), max_length=8, choices=Stance.choices)
    text = models.TextField(_("comment"), blank=True, **limited_text(COMMENT_MAX_LENGTH))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, **limited_text(COMMENT_MAX_LENGTH))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ConsultationCommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        ordering = ["activity", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.institute} — {self.activity}"


class UpdateAction(models.TextChoices):
    CARRIED = "carried", _("Carried over")
    RESCOPED = "rescoped", _("Rescoped")
    DROPPED = "dropped", _("Dropped")


class ActivityUpdate(models.Model):
    """What the annual update did with one activity of the previous version
    that was not done, and why: carried over, rescoped (new quarters or a
    new title) or dropped. One per (new version, previous activity)."""

    version = models.ForeignKey(
        ProgrammeVersion, on_delete=models.CASCADE, related_name="updates", verbose_name=_("version")
    )
    previous = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="updates_after", verbose_name=_("previous activity")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="update_records",
        verbose_name=_("activity in this version"),
    )
    action = models.CharField(_("decision"), max_length=10, choices=UpdateAction.choices)
    reason = models.TextField(_("reason"), **limited_text(REASON_MAX_LENGTH))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual update decision")
        verbose_name_plural = _("annual update decisions")
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "previous"], name="activity_update_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.previous} — {self.get_action_display()}"
