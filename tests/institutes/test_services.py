import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from institutes.models import CeemsStatus, Institute, Role
from institutes.services import RESPONDENT_NEEDS_INSTITUTE, user_set_language, user_set_roles
from tests.factories import CountryFactory, InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_can_hold_several_roles():
    user = UserFactory(institute=InstituteFactory())
    user_set_roles(user=user, roles={Role.RESPONDENT, Role.TASKGROUP, Role.COMMITTEE})
    user.refresh_from_db()
    assert user.roles == {"respondent", "taskgroup", "committee"}
    assert user.has_role(Role.TASKGROUP)
    assert not user.has_role(Role.SECRETARIAT)


def test_respondent_without_institute_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        user_set_roles(user=user, roles={Role.RESPONDENT})
    assert error.value.message_dict["institute"] == [str(RESPONDENT_NEEDS_INSTITUTE)]
    assert user.groups.count() == 0


def test_administrator_role_is_superuser_status():
    user = UserFactory()
    user_set_roles(user=user, roles={Role.ADMIN})
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff
    assert user.has_role(Role.SECRETARIAT)
    user_set_roles(user=user, roles=set())
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff


def test_unknown_language_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationError):
        user_set_language(user=user, language="de")


def test_one_ceems_status_per_country_and_year():
    country = CountryFactory(iso2="AM")
    CeemsStatus.objects.create(country=country, year=2021)
    with pytest.raises(IntegrityError):
        CeemsStatus.objects.create(country=country, year=2021)


def test_acronym_is_unique_within_a_country_only():
    InstituteFactory(acronym="NIM", country=CountryFactory(iso2="CN"))
    InstituteFactory(acronym="NIM", country=CountryFactory(iso2="AM"))
    with pytest.raises(IntegrityError):
        Institute.objects.create(acronym="NIM", country=CountryFactory(iso2="CN"), name_en="x", name_ru="x")
