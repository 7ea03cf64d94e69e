"""The task group (TG-CEEMS): its members and their terms, its meetings with
agendas the members review, documents, minutes approved at the next meeting,
decisions and action items tied to the Programme, calendars, and the
information support it gives CEEMS institutes.

Membership dates are days counted in UTC (`membership_today()`), the same day
the database's CURRENT_DATE gives the session read (institutes.selectors):
the task-group role of a page and of a service never disagree.

A meeting's times are stored as aware datetimes together with the name of the
meeting's time zone (an IANA name such as "Asia/Almaty"); a page shows them in
the viewer's own zone (CalendarSettings.time_zone) and, when that differs, in
the meeting's zone as well.
"""
import hashlib
import secrets
import uuid
import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutes.models import Institute, Role

TEXT_MAX_LENGTH = 10_000
MINUTES_MAX_LENGTH = 100_000
COMMENT_MAX_LENGTH = 4_000


def limited_text(limit: int) -> dict:
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


def membership_today() -> date:
    """The day memberships are counted on: today in UTC (see the module's docstring)."""
    return timezone.now().date()


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


# --- Members ---------------------------------------------------------------------

class MembershipQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> "MembershipQuerySet":
        on = on or membership_today()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def visible_to(self, user) -> "MembershipQuerySet":
        """The composition is read by the task group, the Committee and the
        Secretariat; a respondent sees their own memberships."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.SECRETARIAT, Role.TASKGROUP, Role.COMMITTEE):
            return self
        return self.filter(user=user)


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="taskgroup_memberships", verbose_name=_("person")
    )
    institute = models.ForeignKey(
        Institute, on_delete=models.PROTECT, related_name="taskgroup_memberships", verbose_name=_("institute")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the term goes on."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["institute__country__iso2", "starts_on", "pk"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="membership_user_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def is_current(self, on: date | None = None) -> bool:
        on = on or membership_today()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class JoinRequest(models.Model):
    """A CEEMS respondent's request to join the task group; the chair decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the chair")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taskgroup_join_requests", verbose_name=_("person")
    )
    institute = models.ForeignKey(Institute, on_delete=models.CASCADE, related_name="+", verbose_name=_("institute"))
    message = models.TextField(_("message"), blank=True, **limited_text(COMMENT_MAX_LENGTH))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="join_request_one_pending_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"


# --- Meetings -------------------------------------------------------------------

class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """The Secretariat sees every meeting; anyone else the meetings they
        are invited to, and current members of the task group every meeting.
        An ended membership sees nothing more than its invitations."""
        from . import roles

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SECRETARIAT):
            return self
        if roles.is_current_member(user):
            return self
        return self.filter(Exists(Meeting.invitees.through.objects.filter(meeting=OuterRef("pk"), user=user.pk)))


class Meeting(models.Model):
    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class AgendaStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated for review")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Almaty", validators=[validate_time_zone],
        help_text=_("The zone the meeting's time is set in, e.g. Asia/Almaty."),
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    place = models.CharField(_("place"), max_length=255, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True, help_text=_("The video conference's address."))
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="taskgroup_meetings", blank=True, verbose_name=_("invited")
    )
    guests = models.TextField(
        _("guests without an account"), blank=True, **limited_text(2000),
        help_text=_("Names and addresses of guests who have no account, one per line."),
    )
    agenda_status = models.CharField(
        _("agenda"), max_length=10, choices=AgendaStatus.choices, default=AgendaStatus.DRAFT
    )
    agenda_round = models.PositiveSmallIntegerField(
        _("review round"), default=0, help_text=_("How many times the agenda was circulated.")
    )
    agenda_circulated_at = models.DateTimeField(_("agenda circulated at"), null=True, blank=True)
    agenda_finalised_at = models.DateTimeField(_("agenda finalised at"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # The calendar's SEQUENCE: every change of time or place raises it.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The agenda's and the meeting's revision (core.concurrency).
    revision = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[invitees])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_at")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("taskgroup:meeting_detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def agenda_editable(self) -> bool:
        return self.agenda_status != self.AgendaStatus.FINAL and not self.cancelled

    def previous(self) -> "Meeting | None":
        return (
            Meeting.objects.filter(starts_at__lt=self.starts_at, cancelled=False)
            .exclude(pk=self.pk)
            .order_by("-starts_at", "-pk")
            .first()
        )


class Document(models.Model):
    """A file of a meeting; every upload of it is a DocumentVersion."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def latest(self) -> "DocumentVersion | None":
        versions = getattr(self, "prefetched_versions", None)
        if versions is not None:
            return versions[0] if versions else None
        return self.versions.order_by("-number").first()


def document_path(instance: "DocumentVersion", filename: str) -> str:
    # The stored name never comes from the user: a random one, kept apart from
    # the sanitised name shown and sent back on download.
    return f"taskgroup/meetings/{instance.document.meeting_id}/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document"))
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} (v{self.number})"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        PREVIOUS_MINUTES = "previous_minutes", _("Approval of the previous meeting's minutes")
        TOPIC = "topic", _("Topic")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(_("title"), max_length=255)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    planned_minutes = models.PositiveSmallIntegerField(
        _("planned minutes"), default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    standing = models.BooleanField(
        _("standing item"), default=False, help_text=_("Copied into the next meeting's agenda.")
    )
    previous_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("previous meeting"),
    )
    documents = models.ManyToManyField(Document, related_name="agenda_items", blank=True, verbose_name=_("documents"))
    activities = models.ManyToManyField(
        "programme.Activity", related_name="taskgroup_agenda_items", blank=True, verbose_name=_("Programme activities")
    )

    history = HistoricalRecords(m2m_fields=[documents, activities])

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class AgendaComment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments", verbose_name=_("meeting"))
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="comments", verbose_name=_("item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"), **limited_text(COMMENT_MAX_LENGTH))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class AgendaReview(models.Model):
    """A member's verdict on one circulation round of an agenda."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES = "changes", _("Asks for changes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("meeting"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reviewer")
    )
    round = models.PositiveSmallIntegerField(_("review round"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True, **limited_text(COMMENT_MAX_LENGTH))
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda review")
        verbose_name_plural = _("agenda reviews")
        ordering = ["meeting", "round", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "reviewer", "round"], name="agenda_review_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.get_verdict_display()}"


class Minutes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated")
        APPROVED = "approved", _("Approved")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting"))
    text = models.TextField(_("minutes"), blank=True, **limited_text(MINUTES_MAX_LENGTH))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="approved_minutes",
        verbose_name=_("approved at the meeting"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"), **limited_text(TEXT_MAX_LENGTH))
    activity = models.ForeignKey(
        "programme.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="taskgroup_decisions",
        verbose_name=_("Programme activity"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionItemQuerySet":
        return self.filter(meeting__in=Meeting.objects.visible_to(user))

    def open(self) -> "ActionItemQuerySet":
        return self.filter(status__in=ActionItem.OPEN_STATUSES)

    def overdue(self, today: date | None = None) -> "ActionItemQuerySet":
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting"))
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items",
        verbose_name=_("decision"),
    )
    title = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="taskgroup_action_items", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    activity = models.ForeignKey(
        "programme.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="taskgroup_action_items",
        verbose_name=_("Programme activity"),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_item_status_due"),
            models.Index(fields=["activity"], name="action_item_activity"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate()


# --- Calendar -------------------------------------------------------------------

class CalendarSettings(models.Model):
    """A person's time zone for the task group's pages and their secret
    calendar feed. Only the token's SHA-256 is stored; revoking it clears it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taskgroup_calendar", verbose_name=_("person")
    )
    time_zone = models.CharField(
        _("your time zone"), max_length=64, blank=True, validators=[validate_time_zone],
        help_text=_("Meeting times are shown in this zone. Empty: in each meeting's own zone."),
    )
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    feed_created_at = models.DateTimeField(_("feed created at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(self.user)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


# --- Information support --------------------------------------------------------

class InfoRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InfoRequestQuerySet":
        """The Secretariat, the chair and the secretary see every request; a
        member the ones assigned to them; a respondent their institute's."""
        from . import roles

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SECRETARIAT) or roles.is_coordinator(user):
            return self
        shown = Q(requester=user) | Q(assigned_to=user)
        if user.has_role(Role.RESPONDENT) and user.institute_id:
            shown |= Q(institute_id=user.institute_id)
        return self.filter(shown)


class InfoRequest(models.Model):
    class Topic(models.TextChoices):
        ASSESSMENT = "assessment", _("Preparing for the external assessment")
        PROCEDURE = "procedure", _("Calibration procedure")
        COMPARISON = "comparison", _("Comparisons")
        CALIBRATION = "calibration", _("Calibration and traceability")
        TRAINING = "training", _("Training and internships")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    institute = models.ForeignKey(
        Institute, on_delete=models.PROTECT, related_name="taskgroup_requests", verbose_name=_("institute")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="taskgroup_requests", verbose_name=_("asked by")
    )
    subject = models.CharField(_("subject"), max_length=255)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices, default=Topic.OTHER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    activity = models.ForeignKey(
        "programme.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="taskgroup_requests",
        verbose_name=_("Programme activity"),
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InfoRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("information-support request")
        verbose_name_plural = _("information-support requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="info_request_status")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("taskgroup:request_detail", args=[self.pk])

    @property
    def days_to_answer(self) -> int | None:
        if self.first_answered_at is None:
            return None
        return (self.first_answered_at - self.created_at).days


class InfoMessage(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        ANSWER = "answer", _("Answer")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Note")

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("request"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), **limited_text(TEXT_MAX_LENGTH))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


def attachment_path(instance: "InfoAttachment", filename: str) -> str:
    return f"taskgroup/requests/{instance.message.request_id}/{uuid.uuid4().hex}"


class InfoAttachment(models.Model):
    message = models.ForeignKey(InfoMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
