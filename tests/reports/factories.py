"""Rows for the annual report's tests."""
from datetime import date, datetime, timedelta, timezone as dt_timezone

from institutes.models import Institute, User
from taskgroup.models import ActionItem, Decision, InfoRequest, Meeting, Membership


def taskgroup_year(year: int, size: int) -> None:
    """`size` meetings held in `year` (two decisions and two open action items
    each), `size` requests and `size` memberships that began in it."""
    institutes = list(Institute.objects.select_related("country").order_by("pk")[:6])
    users = [User.objects.create(username=f"tg{year}-{n}", institute=institutes[n % len(institutes)]) for n in range(size)]
    for n in range(size):
        starts = datetime(year, 1 + n % 12, 1 + n % 28, 9, tzinfo=dt_timezone.utc)
        meeting = Meeting.objects.create(title_en=f"Meeting {n}", title_ru=f"Заседание {n}", starts_at=starts,
                                         ends_at=starts + timedelta(hours=2))
        for number in (1, 2):
            decision = Decision.objects.create(meeting=meeting, number=number, text=f"Decision {number}")
            ActionItem.objects.create(meeting=meeting, decision=decision, title=f"Action {n}.{number}",
                                      owner=users[n], due_on=date(year, 12, 31))
        request = InfoRequest.objects.create(
            institute=institutes[n % len(institutes)], requester=users[n], subject=f"Request {n}",
            first_answered_at=starts + timedelta(days=n % 5) if n % 2 else None,
        )
        InfoRequest.objects.filter(pk=request.pk).update(created_at=starts)
        Membership.objects.create(user=users[n], institute=users[n].institute, starts_on=date(year, 1 + n % 12, 1),
                                  ends_on=date(year, 12, 31) if n % 3 else None)
