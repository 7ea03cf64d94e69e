"""The admin speaks Russian as a person would: counts agree with their
number, and no app is left with its package's English name."""
import pytest
from django.contrib import admin

from core import counting

pytestmark = pytest.mark.django_db


def test_every_model_in_the_admin_has_its_count_in_words():
    missing = [model._meta.label for model in admin.site._registry if not counting.registered(model)]
    assert not missing


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ru/admin/institutes/institute/", "16 институтов"),
        ("/ru/admin/institutes/country/", "10 стран"),
        ("/ru/admin/core/outboxmessage/", "0 исходящих писем"),
        ("/en/admin/institutes/institute/", "16 institutes"),
    ],
)
def test_an_admin_list_counts_in_words_that_agree(client_as, path, expected):
    html = client_as("admin").get(path).content.decode()
    assert expected in html


def test_the_login_attempts_app_has_a_russian_name(client_as):
    html = client_as("admin").get("/ru/admin/").content.decode()
    assert "Попытки входа" in html
    assert ">Axes<" not in html
