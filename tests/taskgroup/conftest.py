"""Fixtures of the task group's tests, on the demo data: `chair` (KazStandart,
chair), `nmi-by` (BelGIM, secretary), `nmi-cn` and `nmi-am` (members); the
held meeting (`held`) and the planned one with its agenda circulated (`planned`)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone


@pytest.fixture
def held(demo):
    from taskgroup.demo import FIRST_TITLE_EN
    from taskgroup.models import Meeting

    return Meeting.objects.get(title_en=FIRST_TITLE_EN)


@pytest.fixture
def planned(held):
    from taskgroup.models import Meeting

    return Meeting.objects.exclude(pk=held.pk).get()


@pytest.fixture
def outsider(demo):
    """A user with no role in the task group and no invitation: KazStandart's respondent."""
    from institutes.models import User

    return User.objects.get(username="nmi-kz")


def aware(day: date, hour: int, zone: str = "Asia/Almaty") -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(zone))


@pytest.fixture
def new_meeting(user_named):
    """A draft meeting in 60 days created by the secretary, everyone of the group invited."""
    from taskgroup import services
    from taskgroup.selectors import current_members

    def make(**overrides):
        day = timezone.localdate() + timedelta(days=60)
        data = dict(
            title_ru="Заседание", title_en="Meeting", starts_at=aware(day, 10), ends_at=aware(day, 12),
            time_zone="Asia/Almaty", format="online", link="https://meet.example.org/x",
            invitees=list(current_members()), by=user_named("nmi-by"),
        )
        data.update(overrides)
        return services.meeting_save(**data)

    return make
