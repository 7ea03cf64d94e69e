"""The task group's part of `manage.py demo` (FACTS.md): the chair from
KazStandart; members from Belarus (the secretary), China and Armenia, the
representatives who announced participation; the online meeting on the draft
Programme 2022-2026 with its agenda, minutes, decisions and action items (one
done, one overdue); the next meeting, planned, with its agenda circulated;
and two information-support requests, one answered (Tajikistan) and one open
(Armenia).

Dates are counted from today, so the held meeting is always in the past, the
next one in the future and one action item overdue. Safe to run again: what
exists is left as it is. Writes rows directly, not through the services, so
the demo mails nobody.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from institutes.models import Role, User
from institutes.services import user_set_roles

from .models import (
    ActionItem,
    AgendaComment,
    AgendaItem,
    AgendaReview,
    Decision,
    InfoMessage,
    InfoRequest,
    Meeting,
    Membership,
    Minutes,
)

ZONE = "Asia/Almaty"
START = date(2022, 1, 1)
# username, role in the group
MEMBERS = [
    ("chair", Membership.Role.CHAIR),
    ("nmi-by", Membership.Role.SECRETARY),
    ("nmi-cn", Membership.Role.MEMBER),
    ("nmi-am", Membership.Role.MEMBER),
]
FIRST_TITLE_EN = "Online meeting on the draft Programme of activities 2022–2026"


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(ZONE))


def _item(meeting, position, ru, en, presenter="", minutes=15, standing=False, kind=AgendaItem.Kind.TOPIC, previous=None):
    return AgendaItem.objects.create(
        meeting=meeting, position=position, kind=kind, title_ru=ru, title_en=en, presenter=presenter,
        planned_minutes=minutes, standing=standing, previous_meeting=previous,
    )


def _activity(*words):
    """A Programme activity of the draft 2022-2026 whose title has one of
    `words`, if the Programme's demo made one."""
    try:
        from programme.models import Activity
    except ImportError:  # pragma: no cover
        return None
    for word in words:
        found = Activity.objects.filter(title__icontains=word).order_by("pk").first()
        if found:
            return found
    return None


@transaction.atomic
def load_demo() -> str:
    users = {u.username: u for u in User.objects.filter(username__in=[m[0] for m in MEMBERS] + ["nmi-tj"])}
    if len(users) < len(MEMBERS):
        return "skipped (the institutes' demo users are missing)"
    for username, role in MEMBERS:
        user = users[username]
        Membership.objects.get_or_create(
            user=user, role=role, starts_on=START, defaults={"institute_id": user.institute_id}
        )
        # The task-group role now comes from the membership, not the group.
        groups = {name for name in user.groups.values_list("name", flat=True) if name in Role.values}
        if Role.TASKGROUP in groups:
            kept = groups - {Role.TASKGROUP} | ({Role.ADMIN} if user.is_superuser else set())
            user_set_roles(user=user, roles=kept)

    chair, secretary, cn, am = (users[name] for name, _ in MEMBERS)
    made = 0
    if not Meeting.objects.filter(title_en=FIRST_TITLE_EN).exists():
        _meetings(chair, secretary, cn, am)
        made = 2
    if not InfoRequest.objects.exists() and "nmi-tj" in users:
        _requests(users["nmi-tj"], am, secretary, chair)
    return f"{len(MEMBERS)} members, {made} new meetings, {InfoRequest.objects.count()} information-support requests"


def _meetings(chair, secretary, cn, am) -> None:
    today = timezone.localdate()
    held_on = today - timedelta(days=45)
    invited = [chair, secretary, cn, am]

    first = Meeting.objects.create(
        title_ru="Онлайн-совещание по проекту Программы мероприятий на 2022–2026 годы",
        title_en=FIRST_TITLE_EN,
        starts_at=_at(held_on, 11), ends_at=_at(held_on, 13), time_zone=ZONE,
        format=Meeting.Format.ONLINE, link="https://meet.example.org/tg-ceems",
        agenda_status=Meeting.AgendaStatus.FINAL, agenda_round=1, created_by=secretary,
        agenda_circulated_at=timezone.now() - timedelta(days=60), agenda_finalised_at=timezone.now() - timedelta(days=50),
        guests="Representatives of the NMIs of Kyrgyzstan, Tajikistan and Uzbekistan",
    )
    first.invitees.set(invited)
    _item(first, 0, "Утверждение протокола предыдущего заседания", "Approval of the minutes of the previous meeting",
          minutes=5, kind=AgendaItem.Kind.PREVIOUS_MINUTES)
    surveys = _item(first, 1, "Итоги анкетирования 2022 года: потребности НМИ СРМС и предложения членов КООМЕТ",
                    "Results of the 2022 surveys: needs of CEEMS NMIs and offers of COOMET members", presenter="KazStandart", minutes=20)
    programme = _item(first, 2, "Проект Программы мероприятий на 2022–2026 годы: направления и мероприятия",
                      "Draft Programme of activities 2022–2026: directions and activities", presenter="KazStandart",
                      minutes=40, standing=True)
    _item(first, 3, "Информационная поддержка институтов СРМС", "Information support to CEEMS institutes",
          presenter="BelGIM", minutes=15, standing=True)
    _item(first, 4, "Разное", "Any other business", minutes=10)
    activity = _activity("pH", "calibration", "калибров")
    if activity:
        programme.activities.add(activity)
    for person in (cn, am, chair):
        AgendaReview.objects.create(meeting=first, reviewer=person, round=1, verdict=AgendaReview.Verdict.APPROVED)
    AgendaComment.objects.create(
        meeting=first, item=surveys, author=cn,
        text="NIM can add further comparisons and calibrations that no CEEMS NMI has asked for yet.",
    )
    Minutes.objects.create(
        meeting=first, status=Minutes.Status.CIRCULATED, circulated_at=timezone.now() - timedelta(days=40),
        text=(
            "The task group discussed the results of the 2022 surveys and the draft Programme of activities "
            "2022–2026 with the representatives of the CEEMS NMIs.\n\n"
            "Comparisons are most wanted by Kyrgyzstan and Uzbekistan; calibrations by Armenia, Tajikistan and "
            "Uzbekistan. Armenia and Tajikistan ask for help with the external assessment and with calibration "
            "procedures (pH meters; small volumes). Support is offered on a contract basis; customs and logistics "
            "are paid by the CEEMS NMI."
        ),
    )
    Decision.objects.create(meeting=first, number=1, text=(
        "Take the draft Programme of activities 2022–2026 as the basis and send it to the CEEMS NMIs for comments."))
    Decision.objects.create(meeting=first, number=2, text='Rename the training block of the Programme to "Internships".')
    ActionItem.objects.create(
        meeting=first, title="Send the draft Programme 2022–2026 to the CEEMS NMIs for comments", owner=chair,
        due_on=held_on + timedelta(days=14), status=ActionItem.Status.DONE, done_at=timezone.now() - timedelta(days=30),
        reminder_sent_at=timezone.now() - timedelta(days=33),
    )
    ActionItem.objects.create(
        meeting=first, title="Prepare a draft calibration procedure for pH meters with the NMI of Armenia",
        owner=secretary, due_on=held_on + timedelta(days=30), status=ActionItem.Status.IN_PROGRESS,
        activity=activity, reminder_sent_at=timezone.now() - timedelta(days=18),
    )

    next_on = today + timedelta(days=40)
    second = Meeting.objects.create(
        title_ru="Второе заседание рабочей группы TG-CEEMS", title_en="Second meeting of the task group TG-CEEMS",
        starts_at=_at(next_on, 11), ends_at=_at(next_on, 13), time_zone=ZONE, format=Meeting.Format.HYBRID,
        place="KazStandart, Astana", link="https://meet.example.org/tg-ceems", created_by=secretary,
        agenda_status=Meeting.AgendaStatus.CIRCULATED, agenda_round=1, agenda_circulated_at=timezone.now(),
    )
    second.invitees.set(invited)
    _item(second, 0, "Утверждение протокола предыдущего заседания", "Approval of the minutes of the previous meeting",
          minutes=5, kind=AgendaItem.Kind.PREVIOUS_MINUTES, previous=first)
    _item(second, 1, "Проект Программы мероприятий на 2022–2026 годы: направления и мероприятия",
          "Draft Programme of activities 2022–2026: directions and activities", presenter="KazStandart",
          minutes=40, standing=True)
    _item(second, 2, "Информационная поддержка институтов СРМС", "Information support to CEEMS institutes",
          presenter="BelGIM", minutes=15, standing=True)
    _item(second, 3, "Отчёт рабочей группы Комитету КООМЕТ", "The task group's report to the COOMET Committee",
          presenter="KazStandart", minutes=20)
    AgendaReview.objects.create(meeting=second, reviewer=am, round=1, verdict=AgendaReview.Verdict.APPROVED)


def _requests(tj, am, secretary, chair) -> None:
    now = timezone.now()
    answered = InfoRequest.objects.create(
        institute_id=tj.institute_id, requester=tj, topic=InfoRequest.Topic.PROCEDURE, language="ru",
        subject="Методика калибровки для геометрических измерений (малые объёмы)",
        status=InfoRequest.Status.ANSWERED, assigned_to=secretary, assigned_at=now - timedelta(days=20),
        first_answered_at=now - timedelta(days=12),
    )
    InfoRequest.objects.filter(pk=answered.pk).update(created_at=now - timedelta(days=21))
    InfoMessage.objects.create(request=answered, author=tj, kind=InfoMessage.Kind.QUESTION, text=(
        "Просим помочь в разработке типовой методики калибровки для геометрических измерений (малый объём)."))
    InfoMessage.objects.create(request=answered, author=secretary, kind=InfoMessage.Kind.ANSWER, text=(
        "БелГИМ готов поделиться действующей методикой калибровки мер малого объёма и провести консультацию "
        "онлайн. Пришлите, пожалуйста, перечень средств измерений."))
    InfoRequest.objects.create(
        institute_id=am.institute_id, requester=am, topic=InfoRequest.Topic.ASSESSMENT, language="en",
        subject="Preparing for the external assessment (prereview) of our quality system",
        status=InfoRequest.Status.NEW,
    )
    open_request = InfoRequest.objects.get(institute_id=am.institute_id)
    InfoMessage.objects.create(request=open_request, author=am, kind=InfoMessage.Kind.QUESTION, text=(
        "We would like help preparing for the external assessment of our quality system and capabilities: "
        "which documents to prepare and who could act as a peer reviewer."))
