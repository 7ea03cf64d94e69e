"""`manage.py demo` loads the source document's facts, idempotently."""
import pytest
from django.core.management import CommandError, call_command

from institutes.models import CeemsStatus, Country, Institute, MetrologyArea, SubField, User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Country, Institute, CeemsStatus, MetrologyArea, SubField, User)
    }


def test_demo_twice_gives_the_same_data(demo):
    first = _counts()
    password = User.objects.get(username="nmi-kg").password
    call_command("demo", force=True, verbosity=0)
    assert _counts() == first
    assert User.objects.get(username="nmi-kg").password == password


def test_demo_has_the_ten_countries_and_the_2021_ceems(demo):
    assert set(Country.objects.values_list("iso2", flat=True)) == {
        "AM", "BY", "KZ", "KG", "TJ", "UZ", "CN", "MD", "SK", "RU"
    }
    ceems = CeemsStatus.objects.filter(year=2021, is_ceems=True).values_list("country__iso2", flat=True)
    assert set(ceems) == {"AM", "KG", "TJ", "UZ"}


def test_demo_has_the_named_institutes_and_users(demo):
    assert Institute.objects.filter(acronym="BelGIM", country__iso2="BY").exists()
    assert Institute.objects.filter(acronym="KazStandart", country__iso2="KZ").exists()
    assert Institute.objects.filter(country__iso2="RU").count() >= 3
    for username in ["admin", "secretariat", "chair", "committee", "nmi-am", "nmi-ru-vniim"]:
        assert User.objects.get(username=username).check_password("demo")
    respondent = User.objects.get(username="nmi-ru-vniim")
    assert respondent.institute.acronym == "VNIIM"
    assert respondent.roles == {"respondent"}
    assert User.objects.get(username="nmi-by").roles == {"respondent", "taskgroup"}
    assert User.objects.get(username="admin").roles == {"admin"}


def test_every_institute_has_a_respondent(demo):
    for institute in Institute.objects.all():
        assert institute.members.filter(groups__name="respondent").exists(), institute


def test_all_nine_kcdb_areas_with_subfields_in_both_languages(demo):
    assert list(MetrologyArea.objects.values_list("code", flat=True)) == [
        "AUV", "EM", "L", "M", "PR", "QM", "RI", "T", "TF"
    ]
    for area in MetrologyArea.objects.all():
        assert area.name_ru and area.name_en
        assert area.subfields.count() >= 3
    assert SubField.objects.get(code="QM-PH").name_en == "pH"


def test_demo_refuses_demo_passwords_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", verbosity=0)
    assert not User.objects.filter(username="admin").exists()
