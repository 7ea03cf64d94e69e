"""Reads of the task group, each joined for the page that shows it: a list
page makes the same number of queries for 10 rows as for 10,000."""
from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from institutes.models import User

from .models import (
    ActionItem,
    AgendaComment,
    AgendaItem,
    AgendaReview,
    CalendarSettings,
    Decision,
    Document,
    DocumentVersion,
    InfoMessage,
    InfoAttachment,
    InfoRequest,
    JoinRequest,
    Meeting,
    Membership,
    Minutes,
    membership_today,
)

# The source document: the task group meets at least twice a year.
MEETINGS_PER_YEAR = 2


def viewer_zone(user) -> zoneinfo.ZoneInfo | None:
    """The time zone the user chose for meeting times, or None (each
    meeting's own zone). One query, cached on the user object."""
    if not user.is_authenticated:
        return None
    if "_taskgroup_zone" not in user.__dict__:
        name = CalendarSettings.objects.filter(user=user.pk).values_list("time_zone", flat=True).first()
        user.__dict__["_taskgroup_zone"] = zoneinfo.ZoneInfo(name) if name else None
    return user.__dict__["_taskgroup_zone"]


# --- Members ----------------------------------------------------------------------

def composition(*, user, on: date | None = None) -> dict:
    """The current memberships grouped by country, and every past term (the
    history of who served when). Two queries."""
    on = on or membership_today()
    rows = list(
        Membership.objects.visible_to(user)
        .select_related("user", "institute__country")
        .order_by("institute__country__iso2", "institute__acronym", "-starts_on", "pk")
    )
    current, past, future = defaultdict(list), [], []
    for row in rows:
        if row.is_current(on):
            current[row.institute.country].append(row)
        elif row.starts_on > on:
            future.append(row)
        else:
            past.append(row)
    past.sort(key=lambda m: (m.ends_on or on), reverse=True)
    return {"current": dict(current), "past": past, "future": future}


def pending_join_requests() -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("user", "institute__country")


def current_members() -> QuerySet[User]:
    """Active users with a current membership, for choosing invitees, owners and assignees."""
    return User.objects.filter(
        pk__in=Membership.objects.current().values("user"), is_active=True
    ).select_related("institute").order_by("last_name", "first_name", "username")


# --- Meetings ---------------------------------------------------------------------

def meetings_for_list(*, user) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).annotate(
        item_count=Count("agenda_items", distinct=True),
    ).order_by("-starts_at", "-pk")


def meetings_per_year(*, user) -> list[tuple[int, int]]:
    """(year, meetings not cancelled) for every year with a meeting, newest first."""
    counts = defaultdict(int)
    for starts_at in Meeting.objects.visible_to(user).filter(cancelled=False).values_list("starts_at", flat=True):
        counts[timezone.localtime(starts_at).year] += 1
    return sorted(counts.items(), reverse=True)


def too_few_meetings(*, per_year: list[tuple[int, int]], year: int | None = None) -> int | None:
    """The number of meetings held or planned in `year` (this year) if it is
    fewer than the source document requires, else None."""
    year = year or timezone.localdate().year
    held = dict(per_year).get(year, 0)
    return held if held < MEETINGS_PER_YEAR else None


def meeting_for_page(*, user, pk: int) -> Meeting:
    """One meeting with everything its page shows, in a fixed number of queries."""
    comments = AgendaComment.objects.select_related("author").order_by("created_at", "pk")
    return (
        Meeting.objects.visible_to(user)
        .select_related("minutes", "minutes__approved_at_meeting")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("previous_meeting", "previous_meeting__minutes")
                .prefetch_related("documents", "activities", Prefetch("comments", queryset=comments))
                .order_by("position", "pk"),
            ),
            Prefetch("invitees", queryset=User.objects.select_related("institute").order_by("last_name", "username")),
            Prefetch("comments", queryset=comments.filter(item__isnull=True), to_attr="general_comments"),
            Prefetch(
                "documents",
                queryset=Document.objects.prefetch_related(
                    Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
                             to_attr="prefetched_versions")
                ).order_by("title", "pk"),
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("activity").order_by("number")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner", "activity").order_by("due_on", "pk"),
            ),
        )
        .get(pk=pk)
    )


def minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def review_overview(*, meeting: Meeting) -> list[dict]:
    """Who of the invited has reviewed the current round, with their verdict
    and how many comments they wrote: the secretary's overview. Two queries."""
    reviews = {
        r.reviewer_id: r for r in AgendaReview.objects.filter(meeting=meeting, round=meeting.agenda_round)
    }
    comment_counts = dict(
        AgendaComment.objects.filter(meeting=meeting).order_by().values_list("author").annotate(n=Count("pk"))
        .values_list("author", "n")
    )
    return [
        {"person": person, "review": reviews.get(person.pk), "comments": comment_counts.get(person.pk, 0)}
        for person in meeting.invitees.all()
    ]


def own_review(*, meeting: Meeting, user) -> AgendaReview | None:
    return AgendaReview.objects.filter(meeting=meeting, reviewer=user.pk, round=meeting.agenda_round).first()


def later_meetings(*, meeting: Meeting) -> QuerySet[Meeting]:
    """The meetings the minutes of `meeting` can be approved at."""
    return Meeting.objects.filter(starts_at__gt=meeting.starts_at, cancelled=False).order_by("starts_at")


def minutes_to_approve(*, meeting: Meeting) -> Minutes | None:
    """The previous meeting's minutes, circulated and waiting for this
    meeting's approval (its first agenda item)."""
    first = next((i for i in meeting.agenda_items.all() if i.kind == AgendaItem.Kind.PREVIOUS_MINUTES), None)
    if first is None or first.previous_meeting is None:
        return None
    return minutes_of(first.previous_meeting)


# --- Action items -----------------------------------------------------------------

def actions_for_list(*, user, show: str = "open", today: date | None = None) -> QuerySet[ActionItem]:
    """Action items of the meetings the user may see: "open", "overdue",
    "mine" (open ones the user owns) or "all"."""
    items = ActionItem.objects.visible_to(user).select_related("owner", "meeting", "activity")
    if show == "overdue":
        items = items.overdue(today)
    elif show == "mine":
        items = items.open().filter(owner=user.pk)
    elif show == "open":
        items = items.open()
    return items.order_by("due_on", "pk")


def action_items_for_activity(*, activity, user) -> QuerySet[ActionItem]:
    """The action items tied to a Programme activity that the user may see,
    for the activity's page (template taskgroup/_activity_action_items.html).
    One query."""
    return (
        ActionItem.objects.visible_to(user)
        .filter(activity=activity)
        .select_related("owner", "meeting")
        .order_by("due_on", "pk")
    )


def requests_for_activity(*, activity, user) -> QuerySet[InfoRequest]:
    return InfoRequest.objects.visible_to(user).filter(activity=activity).select_related("institute").order_by("-created_at")


def activity_context(*, activity, user) -> dict:
    """The context of taskgroup/_activity_action_items.html for an activity's page."""
    return {
        "taskgroup_action_items": list(action_items_for_activity(activity=activity, user=user)),
        "taskgroup_requests": list(requests_for_activity(activity=activity, user=user)),
    }


# --- Information support ----------------------------------------------------------

def requests_for_list(*, user, status: str = "") -> QuerySet[InfoRequest]:
    requests = InfoRequest.objects.visible_to(user).select_related("institute__country", "assigned_to", "requester")
    if status in InfoRequest.Status.values:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-pk")


def request_for_page(*, user, pk: int) -> InfoRequest:
    return (
        InfoRequest.objects.visible_to(user)
        .select_related("institute__country", "assigned_to", "requester", "activity")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=InfoMessage.objects.select_related("author").prefetch_related("attachments").order_by("created_at", "pk"),
            )
        )
        .get(pk=pk)
    )


def info_request_summary(*, year: int) -> dict:
    """For the annual report: the year's requests, by topic, and the mean days to a first answer."""
    requests = InfoRequest.objects.filter(created_at__year=year)
    by_topic = dict(requests.order_by().values_list("topic").annotate(n=Count("pk")).values_list("topic", "n"))
    answered = [r for r in requests.filter(first_answered_at__isnull=False).only("created_at", "first_answered_at")]
    days = [(r.first_answered_at - r.created_at).total_seconds() / 86400 for r in answered]
    return {
        "count": sum(by_topic.values()),
        "by_topic": by_topic,
        "answered": len(answered),
        "mean_days_to_answer": round(sum(days) / len(days), 1) if days else None,
    }


def meetings_held(*, year: int) -> QuerySet[Meeting]:
    """For the annual report: the year's meetings that took place."""
    return Meeting.objects.filter(starts_at__year=year, cancelled=False, starts_at__lte=timezone.now()).order_by("starts_at")
