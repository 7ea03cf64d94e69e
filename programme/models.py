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

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityQuerySet":
        return self.filter(version__in=ProgrammeVersion.objects.visible_to(user))


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

