"""The synthetic data generator: deterministic, at the scale asked, and
removable without touching real data."""
import hashlib
import re

import pytest
from django.core.management import CommandError, call_command

from bench import synth
from institutes.models import RMO, CeemsStatus, Country, Institute, Role, User
from institutes.synth import STAFF
from tests.factories import CountryFactory, InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db


def digest() -> str:
    """A fingerprint of the synthetic data's content, blind to primary keys."""
    rows = [
        *Country.objects.filter(name_en__startswith=synth.PREFIX).values_list(
            "iso2", "name_en", "name_ru", "rmo", "coomet_member", "customs_union"
        ),
        *CeemsStatus.objects.filter(country__name_en__startswith=synth.PREFIX).values_list(
            "country__iso2", "year", "is_ceems"
        ),
        *Institute.objects.filter(acronym__startswith=synth.PREFIX).values_list(
            "country__iso2", "acronym", "name_en", "name_ru", "kind", "city", "website"
        ),
        *User.objects.filter(username__startswith=synth.PREFIX).values_list(
            "username", "first_name", "last_name", "is_active", "institute__acronym", "preferred_language"
        ),
    ]
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    synth.generate(scale=2, seed=7)
    first = digest()
    synth.flush()
    synth.generate(scale=2, seed=7)
    assert digest() == first
    synth.flush()
    synth.generate(scale=2, seed=8)
    assert digest() != first


def test_scale_sets_the_size_of_the_largest_list():
    created = synth.generate(scale=3, seed=1)
    institutes = Institute.objects.filter(acronym__startswith=synth.PREFIX)
    assert created["institutes"] == institutes.count() == 30
    countries = Country.objects.filter(name_en__startswith=synth.PREFIX)
    assert set(countries.values_list("rmo", flat=True)) == set(RMO.values)
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in countries.values_list("iso2", flat=True))
    # Every synthetic country has its national metrology institute.
    assert not countries.exclude(institutes__kind=Institute.Kind.NMI).exists()
    # (An inactive user holds no role, whatever its groups.)
    respondents = User.objects.filter(username__startswith=f"{synth.PREFIX}u", is_active=True)
    assert respondents.exists()
    assert {frozenset(user.roles) for user in respondents} == {frozenset({Role.RESPONDENT})}
    for username, roles in STAFF:
        assert User.objects.get(username=username).roles == frozenset(roles)
    assert synth.existing()["institutes"] == 30


def test_flush_removes_synthetic_data_only():
    real_institute = InstituteFactory(country=CountryFactory(iso2="QA"))
    real_user = UserFactory(username="someone-real", institute=real_institute)
    synth.generate(scale=1, seed=1)
    assert synth.existing()

    deleted = synth.flush()

    assert deleted["institutes"] == 10
    assert synth.existing() == {}
    assert Institute.objects.filter(pk=real_institute.pk).exists()
    assert User.objects.filter(pk=real_user.pk).exists()
    assert Country.objects.filter(iso2="QA").exists()


def test_synthetic_codes_avoid_the_demo_and_existing_countries(demo):
    demo_codes = set(Country.objects.values_list("iso2", flat=True))
    synth.generate(scale=1, seed=3)
    synthetic = set(Country.objects.filter(name_en__startswith=synth.PREFIX).values_list("iso2", flat=True))
    assert len(synthetic) == 6
    assert not synthetic & demo_codes


def test_a_second_generation_is_refused_until_flushed():
    synth.generate(scale=1, seed=1)
    with pytest.raises(synth.SynthError):
        synth.generate(scale=1, seed=1)
    with pytest.raises(CommandError, match="already there"):
        call_command("synth", scale=1, verbosity=0)

    call_command("synth", scale=2, flush=True, verbosity=0)
    assert synth.existing()["institutes"] == 20
    call_command("synth", flush=True, verbosity=0)
    assert synth.existing() == {}
