"""Every write of the task group: memberships, meetings and their agendas,
reviews, documents, minutes, decisions, action items, calendars and
information-support requests.

Each service validates, writes inside one transaction, claims the revision it
was given where two people can edit the same thing (core.concurrency) and
writes its emails to the outbox in the same transaction (core.outbox), so a
message goes out once the change is committed and never twice for one
reason. History is recorded by django-simple-history for who the request or
`acting_as` names. Permission is the caller's: views ask the rules in
taskgroup.permissions; the services check the states a rule cannot see and
the invitation of a commenter, the one check that must hold whoever calls.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.concurrency import revision_bump, revision_claim
from core.errors import PortalError
from core.outbox import notify
from institutes.models import Institute, User

from . import roles
from .calendar import meeting_ics, meeting_ics_filename
from .models import (
    ActionItem,
    AgendaComment,
    AgendaItem,
    AgendaReview,
    CalendarSettings,
    Decision,
    Document,
    DocumentVersion,
    InfoAttachment,
    InfoMessage,
    InfoRequest,
    JoinRequest,
    Meeting,
    Membership,
    Minutes,
    membership_today,
)
from .uploads import check_upload

# --- Messages (tests assert on these) ---------------------------------------------
MEETING_ENDS_BEFORE_START = _("The meeting must end after it starts.")
AGENDA_ALREADY_FINAL = _("The agenda is already final; it cannot be finalised or changed again.")
AGENDA_NOT_CIRCULATED = _("The agenda has not been circulated for review yet.")
AGENDA_NOT_DRAFT = _("Only a draft agenda can be circulated; this one has been circulated already.")
AGENDA_EMPTY = _("Add at least one agenda item before circulating the agenda.")
FIRST_ITEM_FIXED = _("The first item, the approval of the previous minutes, cannot be removed or moved.")
NOT_INVITED = _("You are not invited to this meeting, so you cannot comment on its agenda.")
NOT_YOUR_COMMENT = _("You can only edit your own comments.")
MINUTES_LOCKED = _("These minutes were approved and are locked; they cannot be changed.")
MINUTES_NOT_CIRCULATED = _("Only circulated minutes can be approved.")
MINUTES_EMPTY = _("Write the minutes before circulating them.")
MINUTES_APPROVED_LATER = _("Minutes are approved at a later meeting than the one they record.")
ALREADY_MEMBER = _("This person already has a current membership in the task group.")
JOIN_PENDING = _("Your request to join is already waiting for the chair's decision.")
JOIN_DECIDED = _("This request has already been decided.")
MEMBERSHIP_ENDED = _("This membership has already ended.")
MEMBERSHIP_END_BEFORE_START = _("A membership cannot end before it starts.")
NOT_A_MEMBER = _("Choose a current member of the task group.")
REQUEST_CLOSED = _("This request is closed.")
NO_PREVIOUS_MEETING = _("There is no earlier meeting to prepare from.")

AGENDA_TEMPLATE = "taskgroup/emails/agenda_circulated"
MINUTES_TEMPLATE = "taskgroup/emails/minutes_circulated"
REMINDER_TEMPLATE = "taskgroup/emails/action_reminder"

# Owners are reminded this many days before an action item is due.
REMINDER_DAYS_BEFORE = 3


def _link(name: str, *args) -> object:
    """An absolute link, reversed in the language of whoever reads it."""
    return format_lazy("{}{}", settings.SITE_URL.rstrip("/"), reverse_lazy(name, args=args))


def _clean_save(obj, **kwargs):
    obj.full_clean(**kwargs)
    obj.save()
    return obj


# --- Members ----------------------------------------------------------------------

@transaction.atomic
def membership_add(
    *, user: User, institute: Institute, role: str, starts_on: date, ends_on: date | None = None,
    note: str = "", by: User,
) -> Membership:
    """Add a term of `user` in the task group. A person has at most one
    current membership: adding one while another goes on is refused (end it
    first). The role counts from `starts_on` (the session read asks the
    dates on every page)."""
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": MEMBERSHIP_END_BEFORE_START})
    overlapping = Membership.objects.filter(user=user).current(starts_on)
    if overlapping.exists():
        raise ValidationError({"user": ALREADY_MEMBER})
    membership = _clean_save(
        Membership(user=user, institute=institute, role=role, starts_on=starts_on, ends_on=ends_on, note=note)
    )
    roles.forget(user)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, ends_on: date, by: User) -> Membership:
    """End a term on `ends_on` (its last day). The person loses the role from
    the day after."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ends_on is not None and membership.ends_on < membership_today():
        raise PortalError(MEMBERSHIP_ENDED)
    if ends_on < membership.starts_on:
        raise ValidationError({"ends_on": MEMBERSHIP_END_BEFORE_START})
    membership.ends_on = ends_on
    _clean_save(membership)
    roles.forget(membership.user)
    return membership


@transaction.atomic
def join_request_create(*, user: User, message: str = "", by: User) -> JoinRequest:
    """A CEEMS respondent asks to join; the chair is told by email."""
    if Membership.objects.filter(user=user).current().exists():
        raise PortalError(ALREADY_MEMBER)
    if JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).exists():
        raise PortalError(JOIN_PENDING)
    request = _clean_save(JoinRequest(user=user, institute_id=user.institute_id, message=message))
    chairs = User.objects.filter(
        pk__in=Membership.objects.current().filter(role=Membership.Role.CHAIR).values("user"), is_active=True
    )
    notify(
        to=chairs, key=f"taskgroup-join:request={request.pk}", template="taskgroup/emails/join_requested",
        context={"request": request, "person": str(user), "institute": user.institute.acronym,
                 "link": _link("taskgroup:composition")},
        by=by,
    )
    return request


@transaction.atomic
def join_request_decide(*, request: JoinRequest, accept: bool, role: str = Membership.Role.MEMBER, by: User) -> JoinRequest:
    """The chair accepts (a membership from today) or declines; the person is told."""
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != JoinRequest.Status.PENDING:
        raise PortalError(JOIN_DECIDED)
    if accept:
        membership_add(user=request.user, institute=request.institute, role=role, starts_on=membership_today(), by=by)
    request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save()
    notify(
        to=[request.user], key=f"taskgroup-join-decided:request={request.pk}",
        template="taskgroup/emails/join_decided", context={"accepted": accept, "link": _link("taskgroup:overview")},
        by=by,
    )
    return request


# --- Meetings ---------------------------------------------------------------------

def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": MEETING_ENDS_BEFORE_START})


PREVIOUS_MINUTES_TITLE = {
    "ru": "Утверждение протокола предыдущего заседания",
    "en": "Approval of the minutes of the previous meeting",
}


def _first_item(meeting: Meeting) -> AgendaItem:
    """The first item of every agenda: approving the previous meeting's minutes."""
    previous = meeting.previous()
    item = AgendaItem(
        meeting=meeting, position=0, kind=AgendaItem.Kind.PREVIOUS_MINUTES, previous_meeting=previous,
        title_ru=PREVIOUS_MINUTES_TITLE["ru"], title_en=PREVIOUS_MINUTES_TITLE["en"], planned_minutes=5,
    )
    return _clean_save(item)


@transaction.atomic
def meeting_save(
    *, meeting: Meeting | None = None, title_ru: str, title_en: str, starts_at: datetime, ends_at: datetime,
    time_zone: str, format: str, place: str = "", link: str = "", invitees: Iterable[User] = (),
    guests: str = "", revision: int | None = None, by: User,
) -> Meeting:
    """Create a meeting (with its first agenda item, the approval of the
    previous minutes) or change one loaded at `revision`. A change of time
    or place raises the calendar's SEQUENCE so invitations update."""
    _check_times(starts_at, ends_at)
    creating = meeting is None
    if creating:
        meeting = Meeting(created_by=by)
    else:
        if meeting.cancelled:
            raise PortalError(AGENDA_ALREADY_FINAL)
        revision_claim(meeting, revision=revision)
        if (meeting.starts_at, meeting.ends_at, meeting.place, meeting.link, meeting.time_zone) != (
            starts_at, ends_at, place, link, time_zone
        ):
            meeting.sequence += 1
    meeting.title_ru, meeting.title_en = title_ru, title_en
    meeting.starts_at, meeting.ends_at, meeting.time_zone = starts_at, ends_at, time_zone
    meeting.format, meeting.place, meeting.link, meeting.guests = format, place, link, guests
    _clean_save(meeting)
    meeting.invitees.set(list(invitees))
    if creating:
        _first_item(meeting)
    return meeting


@transaction.atomic
def meeting_prepare_next(*, previous: Meeting, starts_at: datetime, ends_at: datetime, by: User) -> Meeting:
    """"Prepare the next meeting": a new meeting with the previous one's
    titles, format, place, link and invitees and its standing agenda items;
    its first item approves the previous meeting's minutes. Not idempotent:
    every call creates a meeting."""
    meeting = meeting_save(
        title_ru=previous.title_ru or previous.title, title_en=previous.title_en or previous.title,
        starts_at=starts_at, ends_at=ends_at, time_zone=previous.time_zone, format=previous.format,
        place=previous.place, link=previous.link, invitees=list(previous.invitees.all()), guests=previous.guests,
        by=by,
    )
    position = 1
    for item in previous.agenda_items.filter(standing=True, kind=AgendaItem.Kind.TOPIC).order_by("position", "pk"):
        copy = AgendaItem(
            meeting=meeting, position=position, title_ru=item.title_ru,
            title_en=item.title_en, presenter=item.presenter, planned_minutes=item.planned_minutes, standing=True,
        )
        _clean_save(copy)
        copy.activities.set(list(item.activities.all()))
        position += 1
    return meeting


def _agenda_claim(meeting: Meeting, revision: int | None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.agenda_editable:
        raise PortalError(AGENDA_ALREADY_FINAL)
    revision_claim(meeting, revision=revision)
    return meeting


@transaction.atomic
def agenda_item_save(
    *, meeting: Meeting, item: AgendaItem | None = None, title_ru: str, title_en: str, presenter: str = "",
    planned_minutes: int = 10, standing: bool = False, documents: Sequence[Document] = (),
    activities: Sequence = (), revision: int | None, by: User,
) -> AgendaItem:
    """Add an item at the end of the agenda or change one, on the agenda's
    `revision`: of two people editing the agenda at once, the second gets a
    conflict. A final agenda is not changed."""
    meeting = _agenda_claim(meeting, revision)
    if item is None:
        last = meeting.agenda_items.aggregate(m=Max("position"))["m"]
        item = AgendaItem(meeting=meeting, position=(last + 1) if last is not None else 0)
    item.title_ru, item.title_en = title_ru, title_en
    item.presenter, item.planned_minutes, item.standing = presenter, planned_minutes, standing
    _clean_save(item)
    item.documents.set([d for d in documents if d.meeting_id == meeting.pk])
    item.activities.set(list(activities))
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, revision: int | None, by: User) -> None:
    if item.kind == AgendaItem.Kind.PREVIOUS_MINUTES:
        raise PortalError(FIRST_ITEM_FIXED)
    _agenda_claim(item.meeting, revision)
    item.delete()


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool, revision: int | None, by: User) -> None:
    """Swap an item with its neighbour; the first item stays first."""
    if item.kind == AgendaItem.Kind.PREVIOUS_MINUTES:
        raise PortalError(FIRST_ITEM_FIXED)
    meeting = _agenda_claim(item.meeting, revision)
    items = list(meeting.agenda_items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if up else index + 1
    if not (0 <= target < len(items)) or items[target].kind == AgendaItem.Kind.PREVIOUS_MINUTES:
        return
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


def _invitation_attachment(meeting: Meeting):
    def files():
        return [(meeting_ics_filename(meeting), meeting_ics(meeting), "text/calendar; method=PUBLISH")]

    return files


@transaction.atomic
def agenda_circulate(*, meeting: Meeting, revision: int | None, by: User) -> int:
    """Circulate the draft agenda for review: a new review round, and an
    email to every invited person (each in their language, with the
    meeting's .ics attached). Circulating again after changes is allowed
    while the agenda is not final and opens a new round. Returns the number
    of emails written; the same round never mails anybody twice."""
    meeting = _agenda_claim(meeting, revision)
    if not meeting.agenda_items.exists():
        raise PortalError(AGENDA_EMPTY)
    meeting.agenda_status = Meeting.AgendaStatus.CIRCULATED
    meeting.agenda_round += 1
    meeting.agenda_circulated_at = timezone.now()
    meeting.save()
    return len(
        notify(
            to=list(meeting.invitees.filter(is_active=True)),
            key=f"taskgroup-agenda:meeting={meeting.pk}:round={meeting.agenda_round}",
            template=AGENDA_TEMPLATE,
            context={"meeting": meeting, "link": _link("taskgroup:meeting_detail", meeting.pk), "by": str(by)},
            attachments=_invitation_attachment(meeting),
            by=by,
        )
    )


@transaction.atomic
def agenda_finalise(*, meeting: Meeting, revision: int | None, by: User) -> Meeting:
    """The chair or the secretary makes the circulated agenda final; no
    change after that. Finalising twice is refused with AGENDA_ALREADY_FINAL."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.agenda_status == Meeting.AgendaStatus.FINAL:
        raise PortalError(AGENDA_ALREADY_FINAL)
    if locked.agenda_status != Meeting.AgendaStatus.CIRCULATED:
        raise PortalError(AGENDA_NOT_CIRCULATED)
    revision_claim(locked, revision=revision)
    locked.agenda_status = Meeting.AgendaStatus.FINAL
    locked.agenda_finalised_at = timezone.now()
    locked.save()
    return locked


def _must_be_invited(meeting: Meeting, user: User) -> None:
    if not meeting.invitees.filter(pk=user.pk).exists():
        raise PortalError(NOT_INVITED)


@transaction.atomic
def comment_add(*, meeting: Meeting, item: AgendaItem | None = None, text: str, by: User) -> AgendaComment:
    """A comment on the agenda or one of its items by someone invited."""
    _must_be_invited(meeting, by)
    if item is not None and item.meeting_id != meeting.pk:
        raise PortalError(NOT_INVITED)
    return _clean_save(AgendaComment(meeting=meeting, item=item, author=by, text=text))


@transaction.atomic
def comment_edit(*, comment: AgendaComment, text: str, by: User) -> AgendaComment:
    if comment.author_id != by.pk:
        raise PortalError(NOT_YOUR_COMMENT)
    comment.text = text
    comment.edited_at = timezone.now()
    return _clean_save(comment)


@transaction.atomic
def agenda_review(*, meeting: Meeting, verdict: str, note: str = "", by: User) -> AgendaReview:
    """A member's approval or request for changes of the circulated agenda,
    for its current round; giving it again replaces it."""
    _must_be_invited(meeting, by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.agenda_status == Meeting.AgendaStatus.FINAL:
        raise PortalError(AGENDA_ALREADY_FINAL)
    if meeting.agenda_status != Meeting.AgendaStatus.CIRCULATED:
        raise PortalError(AGENDA_NOT_CIRCULATED)
    review = AgendaReview.objects.filter(meeting=meeting, reviewer=by, round=meeting.agenda_round).first()
    review = review or AgendaReview(meeting=meeting, reviewer=by, round=meeting.agenda_round)
    review.verdict, review.note = verdict, note
    return _clean_save(review)


# --- Documents --------------------------------------------------------------------

@transaction.atomic
def document_upload(*, meeting: Meeting, upload, title: str = "", document: Document | None = None, by: User) -> DocumentVersion:
    """Store a file of a meeting: a new document, or a new version of
    `document`. Its kind is checked by content and its size by the limit
    (taskgroup.uploads); the stored name is random and the shown name sanitised."""
    checked = check_upload(upload)
    if document is None:
        document = _clean_save(Document(meeting=meeting, title=title or checked.filename))
        number = 1
    else:
        if document.meeting_id != meeting.pk:
            raise PortalError(NOT_INVITED)
        document = Document.objects.select_for_update().get(pk=document.pk)
        number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = DocumentVersion(
        document=document, number=number, filename=checked.filename, content_type=checked.content_type,
        size=checked.size, uploaded_by=by,
    )
    version.file.save(checked.filename, ContentFile(checked.data), save=False)
    try:
        version.full_clean(exclude=["file"])
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    return version


# --- Minutes, decisions, action items ---------------------------------------------

def _minutes_of(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return Minutes.objects.select_for_update().get(pk=minutes.pk)


@transaction.atomic
def minutes_save(*, meeting: Meeting, text: str, revision: int | None, by: User) -> Minutes:
    """Save the minutes' text on `revision`. Approved minutes are locked."""
    minutes = _minutes_of(meeting)
    if minutes.locked:
        raise PortalError(MINUTES_LOCKED)
    revision_claim(minutes, revision=revision)
    minutes.text = text
    return _clean_save(minutes)


@transaction.atomic
def minutes_circulate(*, meeting: Meeting, revision: int | None, by: User) -> int:
    """Circulate the minutes to the invited; they are approved at the next meeting."""
    minutes = _minutes_of(meeting)
    if minutes.locked:
        raise PortalError(MINUTES_LOCKED)
    if not minutes.text.strip():
        raise PortalError(MINUTES_EMPTY)
    revision_claim(minutes, revision=revision)
    minutes.status = Minutes.Status.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.save()
    return len(
        notify(
            to=list(meeting.invitees.filter(is_active=True)),
            key=f"taskgroup-minutes:meeting={meeting.pk}:revision={minutes.revision}",
            template=MINUTES_TEMPLATE,
            context={"meeting": meeting, "link": _link("taskgroup:meeting_detail", meeting.pk)},
            by=by,
        )
    )


@transaction.atomic
def minutes_approve(*, minutes: Minutes, at_meeting: Meeting, by: User) -> Minutes:
    """Approve circulated minutes at a later meeting (the first item of its
    agenda); they are locked from then on."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if minutes.locked:
        raise PortalError(MINUTES_LOCKED)
    if minutes.status != Minutes.Status.CIRCULATED:
        raise PortalError(MINUTES_NOT_CIRCULATED)
    if at_meeting.starts_at <= minutes.meeting.starts_at:
        raise PortalError(MINUTES_APPROVED_LATER)
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_at_meeting = at_meeting
    minutes.save()
    revision_bump(minutes)
    return minutes


def _minutes_open(meeting: Meeting) -> None:
    if Minutes.objects.filter(meeting=meeting, status=Minutes.Status.APPROVED).exists():
        raise PortalError(MINUTES_LOCKED)


@transaction.atomic
def decision_add(*, meeting: Meeting, text: str, activity=None, by: User) -> Decision:
    """Record a decision in the meeting's minutes (not once they are approved)."""
    _minutes_open(meeting)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    number = (meeting.decisions.aggregate(m=Max("number"))["m"] or 0) + 1
    return _clean_save(Decision(meeting=meeting, number=number, text=text, activity=activity))


@transaction.atomic
def action_item_save(
    *, meeting: Meeting, item: ActionItem | None = None, title: str, owner: User, due_on: date,
    status: str = ActionItem.Status.OPEN, activity=None, decision: Decision | None = None,
    revision: int | None = None, by: User,
) -> ActionItem:
    """Record an action item in the minutes, or change one on its revision.
    A new due date lets the owner be reminded again before it."""
    if item is None:
        _minutes_open(meeting)
        item = ActionItem(meeting=meeting)
    else:
        revision_claim(item, revision=revision)
        if item.due_on != due_on:
            item.reminder_sent_at = None
    item.title, item.owner, item.due_on, item.activity = title, owner, due_on, activity
    item.decision = decision if decision is None or decision.meeting_id == meeting.pk else None
    _set_status(item, status)
    return _clean_save(item)


def _set_status(item: ActionItem, status: str) -> None:
    if status == ActionItem.Status.DONE and item.status != ActionItem.Status.DONE:
        item.done_at = timezone.now()
    elif status != ActionItem.Status.DONE:
        item.done_at = None
    item.status = status


@transaction.atomic
def action_item_set_status(*, item: ActionItem, status: str, revision: int | None, by: User) -> ActionItem:
    """The owner or an organiser moves an action item along."""
    revision_claim(item, revision=revision)
    _set_status(item, status)
    return _clean_save(item)


def action_reminders_send(*, today: date | None = None) -> int:
    """Remind each owner once, REMINDER_DAYS_BEFORE days (or fewer) before
    an open action item is due. Guarded twice: the item's
    `reminder_sent_at`, set in the transaction that writes the outbox row,
    and the outbox's unique (key, address). Safe to run any number of
    times; each item in its own transaction. Returns the emails written."""
    today = today or timezone.localdate()
    due = (
        ActionItem.objects.open()
        .filter(reminder_sent_at__isnull=True, due_on__gte=today, due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE))
        .values_list("pk", flat=True)
    )
    written = 0
    for pk in list(due):
        with transaction.atomic():
            item = (
                ActionItem.objects.select_for_update()
                .select_related("owner", "meeting")
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .first()
            )
            if item is None or item.status not in ActionItem.OPEN_STATUSES:
                continue
            written += len(
                notify(
                    to=[item.owner], key=f"taskgroup-action-reminder:item={item.pk}:due={item.due_on.isoformat()}",
                    template=REMINDER_TEMPLATE,
                    context={"item": item, "meeting": item.meeting, "link": _link("taskgroup:action_list")},
                )
            )
            ActionItem.objects.filter(pk=item.pk).update(reminder_sent_at=timezone.now())
    return written


# --- Calendar ---------------------------------------------------------------------

def _settings_of(user: User) -> CalendarSettings:
    found, _created = CalendarSettings.objects.get_or_create(user=user)
    return found


@transaction.atomic
def calendar_settings_save(*, user: User, time_zone: str) -> CalendarSettings:
    settings_row = _settings_of(user)
    settings_row.time_zone = time_zone
    return _clean_save(settings_row)


@transaction.atomic
def feed_token_create(*, user: User) -> str:
    """A new secret feed token for `user` (any earlier one stops working).
    Only its hash is stored: the token is shown once, now."""
    settings_row = _settings_of(user)
    token = CalendarSettings.new_token()
    settings_row.feed_token_hash = CalendarSettings.hash_token(token)
    settings_row.feed_created_at = timezone.now()
    settings_row.save()
    return token


@transaction.atomic
def feed_token_revoke(*, user: User) -> None:
    CalendarSettings.objects.filter(user=user).update(feed_token_hash="", feed_created_at=None)


# --- Information support ----------------------------------------------------------

def _attach(message: InfoMessage, uploads: Sequence) -> None:
    for upload in uploads:
        checked = check_upload(upload, field="attachments")
        attachment = InfoAttachment(
            message=message, filename=checked.filename, content_type=checked.content_type, size=checked.size
        )
        attachment.file.save(checked.filename, ContentFile(checked.data), save=False)
        attachment.save()


def _coordinators() -> list[User]:
    return list(
        User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(role__in=[Membership.Role.CHAIR, Membership.Role.SECRETARY])
            .values("user"),
            is_active=True,
        )
    )


def _request_notify(request: InfoRequest, to, event: str, template: str, by: User | None) -> None:
    notify(
        to=to, key=f"taskgroup-request:{request.pk}:{event}", template=f"taskgroup/emails/{template}",
        context={"request": request, "subject": request.subject, "link": _link("taskgroup:request_detail", request.pk)},
        by=by,
    )


@transaction.atomic
def info_request_create(
    *, requester: User, subject: str, topic: str, language: str, text: str, attachments: Sequence = (), by: User,
) -> InfoRequest:
    """A respondent of a CEEMS institute asks for information support; the
    chair and the secretary are told."""
    request = _clean_save(
        InfoRequest(institute_id=requester.institute_id, requester=requester, subject=subject, topic=topic,
                    language=language)
    )
    message = _clean_save(InfoMessage(request=request, author=requester, kind=InfoMessage.Kind.QUESTION, text=text))
    _attach(message, attachments)
    _request_notify(request, _coordinators(), "new", "request_new", by)
    return request


def _open_request(request: InfoRequest) -> InfoRequest:
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == InfoRequest.Status.CLOSED:
        raise PortalError(REQUEST_CLOSED)
    return request


@transaction.atomic
def info_request_assign(*, request: InfoRequest, assignee: User, by: User) -> InfoRequest:
    """The chair or the secretary gives the request to a current member, who is told."""
    request = _open_request(request)
    if not Membership.objects.current().filter(user=assignee).exists():
        raise ValidationError({"assignee": NOT_A_MEMBER})
    request.assigned_to = assignee
    request.assigned_at = timezone.now()
    if request.status == InfoRequest.Status.NEW:
        request.status = InfoRequest.Status.ASSIGNED
    request.save()
    _request_notify(request, [assignee], f"assigned:{assignee.pk}:{request.assigned_at.isoformat()}", "request_assigned", by)
    return request


@transaction.atomic
def info_request_answer(*, request: InfoRequest, text: str, attachments: Sequence = (), by: User) -> InfoMessage:
    """The member answers; the requester is told."""
    request = _open_request(request)
    message = _clean_save(InfoMessage(request=request, author=by, kind=InfoMessage.Kind.ANSWER, text=text))
    _attach(message, attachments)
    request.status = InfoRequest.Status.ANSWERED
    request.first_answered_at = request.first_answered_at or message.created_at
    request.save()
    _request_notify(request, [request.requester], f"answer:{message.pk}", "request_answered", by)
    return message


@transaction.atomic
def info_request_reply(*, request: InfoRequest, text: str, attachments: Sequence = (), by: User) -> InfoMessage:
    """The requester (or a colleague of their institute) replies; the request
    goes back to the assigned member, who is told."""
    request = _open_request(request)
    message = _clean_save(InfoMessage(request=request, author=by, kind=InfoMessage.Kind.REPLY, text=text))
    _attach(message, attachments)
    request.status = InfoRequest.Status.ASSIGNED if request.assigned_to_id else InfoRequest.Status.NEW
    request.save()
    to = [request.assigned_to] if request.assigned_to_id else _coordinators()
    _request_notify(request, to, f"reply:{message.pk}", "request_replied", by)
    return message


@transaction.atomic
def info_request_close(*, request: InfoRequest, by: User) -> InfoRequest:
    request = _open_request(request)
    request.status = InfoRequest.Status.CLOSED
    request.closed_at = timezone.now()
    request.save()
    return request


@transaction.atomic
def info_request_link_activity(*, request: InfoRequest, activity, by: User) -> InfoRequest:
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    request.activity = activity
    request.save()
    return request
