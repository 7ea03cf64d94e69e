"""History is written with the right user: from a view (the request's user,
set once by the middleware), from a service or a Celery task outside a
request (core.history.acting_as), and from the admin; and read back through
core.changelog."""
from datetime import date, timedelta

import pytest
from celery import shared_task
from django.urls import reverse

from core.changelog import LogSource, change_log
from core.history import acting_as, history_user
from institutes.models import Country, Institute, User
from surveys import services
from surveys.models import Campaign, CampaignKind, Need, Response
from tests.factories import current_revision

pytestmark = pytest.mark.django_db


def _new_campaign(secretariat, institute, year=2030):
    return services.campaign_save(
        kind="needs", year=year, opens_on=date.today(), closes_on=date.today() + timedelta(days=30),
        reminder_days=7, introduction_ru="", introduction_en="", institutes=[institute], by=secretariat,
    )


@shared_task
def close_campaign_for(campaign_id: int, user_id: int) -> None:
    """A background job shaped like the portal's: ids in, the service called
    on behalf of who asked."""
    user = User.objects.get(pk=user_id)
    with acting_as(user):
        services.campaign_close(campaign=Campaign.objects.get(pk=campaign_id), by=user)


def test_a_view_records_the_logged_in_user_without_the_service_setting_it(client_as, user_named):
    client = client_as("secretariat")
    md = user_named("nmi-md").institute
    answer = client.post(
        reverse("surveys:campaign_create"),
        {
            "kind": "needs", "year": "2029", "opens_on": "2029-01-10", "closes_on": "2029-03-01",
            "reminder_days": "7", "introduction_ru": "", "introduction_en": "", "institutes": [md.pk],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    campaign = Campaign.objects.get(year=2029, kind="needs")
    assert campaign.history.get().history_user == user_named("secretariat")


def test_an_item_saved_from_the_questionnaire_names_the_respondent(client_as, open_needs, user_named):
    kg = user_named("nmi-kg")
    response = services.response_start(campaign=open_needs, institute=kg.institute, by=kg)
    client_as("nmi-kg").post(
        reverse("surveys:item_add", args=[response.pk]), {"revision": current_revision(response), "new-subject": "x"}
    )
    assert Need.history.get(response_id=response.pk).history_user == kg


def test_a_service_outside_a_request_records_the_user_it_acts_as(user_named):
    secretariat = user_named("secretariat")
    campaign = _new_campaign(secretariat, user_named("nmi-md").institute)
    with acting_as(secretariat):
        services.campaign_open(campaign=campaign, by=secretariat)
    assert campaign.history.latest().history_user == secretariat
    # Outside any block and any request, nobody is named: the system did it.
    services.campaign_close(campaign=Campaign.objects.get(pk=campaign.pk), by=None)
    assert campaign.history.latest().history_user is None


def test_a_celery_task_records_who_asked(user_named, open_needs):
    chair_asked = user_named("secretariat")
    close_campaign_for.apply(args=[open_needs.pk, chair_asked.pk]).get()
    open_needs.refresh_from_db()
    assert open_needs.status == Campaign.Status.CLOSED
    assert open_needs.history.latest().history_user == chair_asked
    assert history_user() is None  # nothing leaks into what runs next in this thread


def test_acting_as_nests_and_restores(user_named):
    first, second = user_named("secretariat"), user_named("admin")
    with acting_as(first):
        with acting_as(second):
            assert history_user() == second
        assert history_user() == first
    assert history_user() is None


def test_reference_data_edited_in_the_admin_has_history_with_the_admin(client_as, user_named):
    client = client_as("admin")
    institute = Institute.objects.get(acronym="INM")
    page = client.get(f"/en/admin/institutes/institute/{institute.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["city_en"] = "Chisinau"
    assert client.post(f"/en/admin/institutes/institute/{institute.pk}/change/", data).status_code == 302
    record = institute.history.latest()
    assert record.city_en == "Chisinau" and record.history_user == user_named("admin")
    assert record.name_ru == institute.name_ru and record.name_en == institute.name_en
    assert client.get(f"/en/admin/institutes/institute/{institute.pk}/history/").status_code == 200


def test_bilingual_history_keeps_both_languages_whatever_language_is_active(demo):
    from django.utils import translation

    country = Country.objects.get(iso2="KG")
    with translation.override("en"):
        country.name_en = "Kyrgyz Republic"
        country.save()
    record = country.history.latest()
    assert (record.name_ru, record.name_en) == ("Кыргызстан", "Kyrgyz Republic")


def test_roles_changed_in_the_admin_go_through_the_service_and_are_recorded(client_as, user_named):
    client = client_as("admin")
    person = user_named("committee")
    page = client.get(f"/en/admin/institutes/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.pop("password", None)
    data.update({"roles": ["committee", "secretariat"], "is_active": "on",
                 "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00", "last_login_0": "", "last_login_1": ""})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    assert client.post(f"/en/admin/institutes/user/{person.pk}/change/", data).status_code == 302
    person = User.objects.get(pk=person.pk)
    assert person.roles == {"committee", "secretariat"}
    assert not person.is_staff
    record = person.history.latest()
    assert record.history_user == user_named("admin")
    assert {row.group.name for row in record.groups.all()} == {"committee", "secretariat"}
    assert client.get(f"/en/admin/institutes/user/{person.pk}/history/").status_code == 200


def test_admin_role_given_in_the_admin_makes_staff_and_superuser(client_as, user_named):
    client = client_as("admin")
    person = user_named("committee")
    page = client.get(f"/en/admin/institutes/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    for name in ("password", "date_joined", "last_login"):
        data.pop(name, None)
    data.update({"roles": ["admin"], "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
                 "last_login_0": "", "last_login_1": ""})
    assert client.post(f"/en/admin/institutes/user/{person.pk}/change/", data).status_code == 302
    person = User.objects.get(pk=person.pk)
    assert person.is_superuser and person.is_staff


def test_a_login_writes_no_history(client, user_named):
    person = user_named("nmi-kg")
    before = person.history.count()
    client.force_login(person)
    assert person.history.count() == before


def test_change_log_names_fields_with_values_before_and_after(open_needs, user_named):
    kg = user_named("nmi-kg")
    response = services.response_start(campaign=open_needs, institute=kg.institute, by=kg)
    with acting_as(kg):
        item = services.item_add(response=response, revision=current_revision(response), by=kg)
        services.item_save(item=item, revision=current_revision(item.response), by=kg, subject="Manometers", priority="high")
    entries = change_log(LogSource(Need.history.filter(response_id=response.pk)))
    assert [entry.action for entry in entries] == ["~", "+"]
    changed = {change.field: (change.before, change.after) for change in entries[0].changes}
    assert changed["what exactly"] == ("—", "Manometers")
    assert changed["priority"] == ("—", "High")
    assert entries[0].who == kg


def test_change_log_queries_do_not_grow_with_the_history(open_needs, user_named, django_assert_max_num_queries):
    kg = user_named("nmi-kg")
    response = services.response_start(campaign=open_needs, institute=kg.institute, by=kg)
    item = services.item_add(response=response, revision=current_revision(response), by=kg)
    for n in range(40):
        services.item_save(item=item, revision=current_revision(item.response), by=kg, subject=f"Version {n}")
    with django_assert_max_num_queries(8):
        entries = change_log(LogSource(Need.history.filter(response_id=response.pk)), LogSource(Response.history.filter(id=response.pk)), limit=10)
    assert len(entries) == 10
    assert entries[0].changes[0].after == "Version 39"
    assert entries[-1].changes[0].before is not None  # compared with the record before the window


def test_change_log_of_a_self_classification_response_opens(client_as, demo):
    response = Response.objects.filter(campaign__kind=CampaignKind.SELF_CLASSIFICATION).first()
    assert client_as("secretariat").get(reverse("surveys:response_history", args=[response.pk])).status_code == 200


def test_inviting_institutes_and_freezing_the_questionnaire_are_recorded_with_who_did_it(client_as, user_named):
    from surveys.models import Invitation, Questionnaire

    secretariat = user_named("secretariat")
    md = user_named("nmi-md").institute
    client = client_as("secretariat")
    client.post(
        reverse("surveys:campaign_create"),
        {
            "kind": "needs", "year": "2031", "opens_on": "2031-01-10", "closes_on": "2031-03-01",
            "reminder_days": "7", "introduction_ru": "", "introduction_en": "", "institutes": [md.pk],
        },
    )
    campaign = Campaign.objects.get(kind="needs", year=2031)
    invitation = Invitation.objects.get(campaign=campaign, institute=md)
    created = invitation.history.get(history_type="+")
    assert created.history_user == secretariat
    Questionnaire.objects.filter(pk=campaign.questionnaire_id).update(frozen_at=None)  # a new version, say
    client.post(reverse("surveys:campaign_open", args=[campaign.pk]))
    frozen = Questionnaire.history.filter(id=campaign.questionnaire_id).order_by("-history_date").first()
    assert frozen.frozen_at is not None
    assert frozen is not None and frozen.history_user == secretariat


def test_dates_in_a_change_log_read_as_dates_in_the_users_language(client_as):
    campaign = Campaign.objects.get(kind=CampaignKind.SELF_CLASSIFICATION, year=2021)
    html = client_as("secretariat").get(f"/ru/surveys/campaigns/{campaign.pk}/history/").content.decode()
    assert "+00:00" not in html
    assert "01.03.2021" in html  # when its questionnaire was frozen, in Minsk time


def test_the_demos_needs_have_their_creation_in_the_change_log(client_as, user_named):
    response = Response.objects.get(campaign__kind=CampaignKind.NEEDS, campaign__year=2022, institute=user_named("nmi-kg").institute)
    html = client_as("nmi-kg").get(f"/en/surveys/responses/{response.pk}/history/").content.decode()
    assert "Need #" in html


def test_a_campaigns_change_log_makes_the_same_queries_for_many_invitations(client_as, user_named, django_assert_max_num_queries):
    from institutes.models import Institute

    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022)
    client = client_as("secretariat")
    client.get(f"/en/surveys/campaigns/{campaign.pk}/history/")  # warm: session, user
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/en/surveys/campaigns/{campaign.pk}/history/")
    services.campaign_save(
        campaign=Campaign.objects.create(
            kind="offers", year=2033, questionnaire=campaign.questionnaire, opens_on=date(2033, 1, 1), closes_on=date(2033, 2, 1)
        ),
        kind="needs", year=2033, opens_on=date(2033, 1, 1), closes_on=date(2033, 2, 1), reminder_days=7,
        introduction_ru="", introduction_en="", institutes=list(Institute.objects.all()), by=user_named("secretariat"),
    )
    many = Campaign.objects.get(kind="needs", year=2033)
    with django_assert_max_num_queries(len(few)):
        client.get(f"/en/surveys/campaigns/{many.pk}/history/")


@pytest.mark.django_db
def test_bulk_created_rows_get_their_history_written_by_the_database(kg_response, user_named):
    from datetime import date

    from core.history import bulk_create_with_sql_history
    from surveys.models import Need

    secretariat = user_named("secretariat")
    needs = [
        Need(response=kg_response, activity_type="calibration", subject=f"Калибровка гирь {n}", priority="high",
             period_from=date(2027, 1, 1), period_to=date(2027, 12, 31), position=100 + n)
        for n in range(3)
    ]
    created = bulk_create_with_sql_history(needs, Need, user=secretariat, reason="Import: needs.csv", batch_size=2)
    for need in created:
        record = need.history.get()
        assert (record.history_type, record.history_user, record.history_change_reason) == ("+", secretariat, "Import: needs.csv")
        assert (record.subject, record.response_id, record.period_to, record.priority) == (
            need.subject, kg_response.pk, date(2027, 12, 31), "high")
