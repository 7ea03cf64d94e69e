"""The admin lists, searches, edits and imports/exports reference data."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from institutes.models import Country, Institute
from institutes.resources import InstituteResource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["country", "institute", "metrologyarea", "subfield", "ceemsstatus", "user"])
def test_admin_lists_and_searches(client_as, model):
    client = client_as("admin")
    assert client.get(f"/en/admin/institutes/{model}/").status_code == 200
    assert client.get(f"/en/admin/institutes/{model}/?q=KG").status_code == 200


def test_admin_edits_a_country_in_both_languages(client_as):
    client = client_as("admin")
    country = Country.objects.get(iso2="KG")
    response = client.get(f"/en/admin/institutes/country/{country.pk}/change/")
    html = response.content.decode()
    assert "name_ru" in html and "name_en" in html


def test_admin_refuses_a_respondent_without_institute(client_as, user_named):
    client = client_as("admin")
    user = user_named("committee")
    response = client.post(
        f"/en/admin/institutes/user/{user.pk}/change/",
        {
            "username": "committee",
            "first_name": "Petr",
            "last_name": "Committee",
            "email": "committee@example.org",
            "is_active": "on",
            # The roles replace the raw groups on the form (user_set_roles saves them).
            "roles": ["committee", "respondent"],
            "preferred_language": "ru",
            "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "An NMI respondent must belong to an institute." in response.content.decode()
    assert not user_named("committee").groups.filter(name="respondent").exists()


def test_institutes_export_and_reimport_changes_nothing(demo):
    dataset = InstituteResource().export()
    assert "BelGIM" in dataset.csv
    before = list(Institute.objects.order_by("pk").values())
    result = InstituteResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    assert result.totals["new"] == 0 and result.totals["update"] == 0
    assert list(Institute.objects.order_by("pk").values()) == before


def test_institutes_import_through_the_admin_with_dry_run_then_confirm(client_as):
    client = client_as("admin")
    csv = "country,acronym,name_ru,name_en,kind,city,website\nKG,KGNIM,Тестовый институт,Test institute,DI,Osh,\n"
    upload = SimpleUploadedFile("institutes.csv", csv.encode("utf-8"), content_type="text/csv")
    response = client.post(
        "/en/admin/institutes/institute/import/",
        {"import_file": upload, "format": "1", "resource": "0"},
    )
    assert response.status_code == 200
    assert not Institute.objects.filter(acronym="KGNIM").exists()
    form = response.context["confirm_form"]
    data = {name: field.initial if field.initial is not None else form.initial.get(name) for name, field in form.fields.items()}
    confirm = client.post("/en/admin/institutes/institute/process_import/", data)
    assert confirm.status_code == 302
    institute = Institute.objects.get(acronym="KGNIM")
    assert institute.country.iso2 == "KG" and institute.name_en == "Test institute"


def test_admin_export_escapes_formula_like_cells_and_keeps_numbers(client_as):
    Institute.objects.filter(acronym="SMU").update(city_en='=HYPERLINK("http://evil.example")')
    Institute.objects.filter(acronym="INM").update(city_ru="@SUM(A1)")
    response = client_as("admin").post(
        "/en/admin/institutes/institute/export/",
        {
            "format": "1",
            "resource": "0",
            **{f"instituteresource_{name}": "on" for name in ("acronym", "city_ru", "city_en", "country", "kind", "name_en", "name_ru", "website")},
        },
    )
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert ",=HYPERLINK" not in text and ",@SUM" not in text


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+7 495", "'+7 495"),
        ("-cmd", "'-cmd"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),
        (-5, -5),
        (3.25, 3.25),
        ("pH meter", "pH meter"),
    ],
)
def test_escape_cell(value, expected):
    from core.spreadsheets import safe_cell

    assert safe_cell(value) == expected
