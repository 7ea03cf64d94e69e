"""Factories for tests that need data beyond the demo set."""
import factory

from institutes.models import Country, Institute, User


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso2",)

    # Codes starting with Q, X or Z are user-assigned in ISO 3166: never a demo country.
    iso2 = factory.Sequence(lambda n: f"{'QXZ'[n // 26 % 3]}{chr(65 + n % 26)}")
    name_en = factory.LazyAttribute(lambda o: f"Country {o.iso2}")
    name_ru = factory.LazyAttribute(lambda o: f"Страна {o.iso2}")


class InstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institute

    country = factory.SubFactory(CountryFactory)
    acronym = factory.Sequence(lambda n: f"NMI{n}")
    name_en = factory.LazyAttribute(lambda o: f"Institute {o.acronym}")
    name_ru = factory.LazyAttribute(lambda o: f"Институт {o.acronym}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-Pass-123")


def current_revision(response) -> int:
    """The revision a page loaded now would carry for `response`."""
    from surveys.models import Response

    return Response.objects.values_list("revision", flat=True).get(pk=response.pk)
