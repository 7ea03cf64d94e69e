"""Fixtures of the Programme's tests: a small Programme built here (fast,
independent of the demo), and the demo's for the pages and roles."""
from datetime import date

import pytest
from django.contrib.auth.models import Group

from programme import services
from programme.models import Programme, ProgrammeVersion, quarter_code
from taskgroup.models import Membership
from tests.factories import InstituteFactory, UserFactory


def make_user(*roles, institute=None, username=None):
    kwargs = {"institute": institute}
    if username:
        kwargs["username"] = username
    user = UserFactory(**kwargs)
    user.save()
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


@pytest.fixture
def people(db):
    """Institutes and one user of each role."""
    recipient, provider, other = InstituteFactory(), InstituteFactory(), InstituteFactory()
    chair = make_user(institute=InstituteFactory())
    Membership.objects.create(user=chair, institute=chair.institute, role=Membership.Role.CHAIR,
                              starts_on=date(2020, 1, 1))
    return {
        "recipient": recipient,
        "provider": provider,
        "other": other,
        "secretariat": make_user("secretariat"),
        "chair": chair,
        "member": make_user("taskgroup"),
        "committee": make_user("committee"),
        "respondent": make_user("respondent", institute=recipient),
        "provider_respondent": make_user("respondent", institute=provider),
        "outsider": make_user("respondent", institute=other),
    }


@pytest.fixture
def programme(db):
    return Programme.objects.create(title="Программа", title_ru="Программа", title_en="Programme", first_year=2022, last_year=2026)


@pytest.fixture
def draft(programme, people):
    return services.version_draft_for_year(year=2022, by=people["secretariat"])


def add_activity(version, people, **fields):
    values = {
        "activity_type": "calibration",
        "title_ru": "Калибровка гирь",
        "title_en": "Calibration of weights",
        "first_quarter": quarter_code(2022, 3),
        "last_quarter": quarter_code(2022, 4),
        "recipients": [people["recipient"]],
        "providers": [people["provider"]],
    }
    values.update(fields)
    return services.activity_create(version=version, by=people["secretariat"], **values)


@pytest.fixture
def activity(draft, people):
    return add_activity(draft, people)


def publish(version, people) -> ProgrammeVersion:
    version.refresh_from_db()
    if version.status == "consultation":
        version = services.consultation_close(version=version, revision=version.revision, by=people["secretariat"])
    version = services.version_approve(version=version, revision=version.revision, by=people["chair"])
    return services.version_publish(version=version, revision=version.revision, by=people["secretariat"])
