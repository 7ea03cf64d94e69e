"""Activities: created and edited through the services and the pages, every
rule refused next to its field, every change recorded, concurrent edits
conflicting."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import ConflictError, PortalError
from programme import selectors, services
from programme.models import Activity, quarter_code

from .conftest import add_activity, publish

pytestmark = pytest.mark.django_db


def _form(activity, **changes):
    data = {
        "activity_type": activity.activity_type, "direction": "", "title_ru": activity.title_ru,
        "title_en": activity.title_en or "", "description_ru": "", "description_en": "",
        "area": "", "subfield": "", "recipients": [i.pk for i in activity.recipients.all()],
        "providers": [i.pk for i in activity.providers.all()],
        "first_quarter": activity.first_quarter or "", "last_quarter": activity.last_quarter or "",
        "status": activity.status, "status_reason": activity.status_reason, "funding": "", "responsible": "",
        "notes": "", "revision": activity.revision,
    }
    data.update(changes)
    return data


def test_create_derives_the_direction_from_the_type(activity):
    assert activity.direction == "technical"
    assert activity.title_en == "Calibration of weights"


@pytest.mark.parametrize("field,value", [("first_quarter", quarter_code(2021, 4)), ("last_quarter", quarter_code(2027, 1))])
def test_quarters_outside_the_period_are_refused(draft, people, field, value):
    with pytest.raises(ValidationError) as error:
        add_activity(draft, people, **{field: value, "first_quarter" if field == "last_quarter" else "last_quarter": None})
    assert field in error.value.message_dict
    assert "2022" in error.value.message_dict[field][0] and "2026" in error.value.message_dict[field][0]
    assert not Activity.objects.exists()


def test_a_provider_that_is_also_a_recipient_is_refused(draft, people):
    with pytest.raises(ValidationError) as error:
        add_activity(draft, people, providers=[people["recipient"]])
    assert "providers" in error.value.message_dict


@pytest.mark.parametrize("status", ["postponed", "cancelled"])
def test_postponed_or_cancelled_needs_a_reason(activity, status):
    with pytest.raises(ValidationError) as error:
        services.activity_set_status(activity=activity, revision=activity.revision, status=status, status_reason="  ")
    assert error.value.message_dict["status_reason"] == [str(services.REASON_REQUIRED)]
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_edit_page_shows_each_refusal_next_to_its_field_and_saves_nothing(client, activity, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_edit", args=[activity.pk])
    page = client.post(url, _form(activity, title_en="Changed", first_quarter=quarter_code(2027, 1),
                                  providers=[people["recipient"].pk], status="postponed"))
    assert page.status_code == 200
    form = page.context["form"]
    assert "first_quarter" in form.errors  # not among the choices of the period
    page = client.post(url, _form(activity, title_en="Changed", providers=[people["recipient"].pk], status="postponed"))
    form = page.context["form"]
    assert set(form.errors) >= {"providers", "status_reason"}
    assert str(services.REASON_REQUIRED) in page.content.decode()
    activity.refresh_from_db()
    assert activity.title_en == "Calibration of weights" and activity.status == "planned"


def test_hostile_input_gives_no_500(client, activity, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_edit", args=[activity.pk])
    page = client.post(url, _form(activity, title_en="x" * 200_000, notes="\x00\x01bad\x1f", recipients=["999999", "abc"],
                                  area="nope", revision="zz"))
    assert page.status_code == 200
    assert page.context["form"].errors
    activity.refresh_from_db()
    assert activity.title_en == "Calibration of weights"


def test_plain_post_edit_saves_and_records_history(client, activity, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_edit", args=[activity.pk])
    response = client.post(url, _form(activity, title_en="Calibration of E1 weights", notes="=1+1"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title_en == "Calibration of E1 weights" and activity.revision == 2
    entries = selectors.activity_change_log(activity)
    changed = [e for e in entries if e.action == "~"]
    assert any(c.after == "Calibration of E1 weights" for e in changed for c in e.changes)
    assert changed[0].who == people["secretariat"]
    log = client.get(reverse("programme:activity_history", args=[activity.pk]))
    assert "Calibration of E1 weights" in log.content.decode()


def test_recipients_change_is_in_the_change_log(activity, people):
    services.activity_update(activity=activity, revision=activity.revision, by=people["secretariat"],
                             recipients=[people["recipient"], people["other"]])
    entries = selectors.activity_change_log(activity)
    assert any(people["other"].acronym in (c.after or "") for e in entries for c in e.changes)


def test_htmx_edit_answers_with_the_row(client, activity, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_edit", args=[activity.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert b'data-testid="activity-edit-row"' in form.content
    saved = client.post(url, _form(activity, title_en="Inline"), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert b'data-testid="activity-row"' in saved.content and b"Inline" in saved.content


def test_two_people_editing_one_activity_get_a_conflict(client, activity, people):
    services.activity_update(activity=activity, revision=activity.revision, by=people["secretariat"], notes="first")
    with pytest.raises(ConflictError):
        services.activity_update(activity=activity, revision=1, by=people["secretariat"], notes="second")
    activity.refresh_from_db()
    assert activity.notes == "first"
    client.force_login(people["secretariat"])
    stale = _form(activity, notes="third", revision=1)
    response = client.post(reverse("programme:activity_edit", args=[activity.pk]), stale, follow=True)
    assert "Somebody else saved" in response.content.decode()
    activity.refresh_from_db()
    assert activity.notes == "first"


def test_a_published_version_is_frozen(activity, people):
    version = publish(activity.version, people)
    with pytest.raises(PortalError) as error:
        services.activity_update(activity=activity, revision=activity.revision, by=people["secretariat"], notes="x")
    assert error.value.message == services.VERSION_FROZEN
    with pytest.raises(PortalError):
        add_activity(version, people)


def test_editing_a_published_version_in_the_browser_is_refused(client, activity, people):
    publish(activity.version, people)
    client.force_login(people["secretariat"])
    response = client.post(reverse("programme:activity_edit", args=[activity.pk]), _form(activity, notes="x"), follow=True)
    assert str(services.VERSION_FROZEN) in response.content.decode()
    activity.refresh_from_db()
    assert activity.notes == ""


def test_status_is_still_followed_in_a_published_version(activity, people):
    publish(activity.version, people)
    activity.refresh_from_db()
    services.activity_set_status(activity=activity, revision=activity.revision, status="done", by=people["secretariat"])
    activity.refresh_from_db()
    assert activity.status == "done"


def test_only_the_secretariat_edits(client, activity, people):
    for role in ("member", "chair", "committee", "respondent"):
        client.force_login(people[role])
        response = client.post(reverse("programme:activity_edit", args=[activity.pk]), _form(activity, notes="x"))
        assert response.status_code in (403, 404), role
    activity.refresh_from_db()
    assert activity.notes == ""


def test_create_page(client, draft, people):
    client.force_login(people["secretariat"])
    url = reverse("programme:activity_create", args=[draft.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "activity_type": "internship", "title_ru": "Стажировка", "recipients": [people["recipient"].pk],
        "providers": [people["provider"].pk], "first_quarter": quarter_code(2023, 1), "last_quarter": quarter_code(2023, 2),
        "status": "planned",
    })
    assert response.status_code == 302
    created = Activity.objects.get(title_ru="Стажировка")
    assert created.direction == "training"
