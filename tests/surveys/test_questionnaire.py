"""Respondents fill in their institute's response: drafts, items, submit."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from institutes.models import SubField
from surveys import services
from surveys.models import Need, Response
from tests.factories import current_revision

pytestmark = pytest.mark.django_db


def _item_data(item, **values):
    data = {"revision": item.response.revision}
    data.update({f"item-{item.pk}-{key}": value for key, value in values.items()})
    return data


def _complete_need(item):
    subfield = SubField.objects.get(code="M-MASS")
    return _item_data(
        item,
        activity_type="comparison",
        area=subfield.area_id,
        subfield=subfield.pk,
        subject="Comparison of weights, 1 mg – 1 kg",
        period_from="2027-01-01",
        period_to="2027-12-31",
        priority="high",
    )


def test_respondent_starts_the_response_of_own_institute(client_as, open_needs):
    client = client_as("nmi-kg")
    response = client.post(f"/en/surveys/campaigns/{open_needs.pk}/respond/")
    created = Response.objects.get(campaign=open_needs, institute__acronym="Kyrgyzstandard")
    assert response["Location"] == created.get_absolute_url()
    # A colleague opening it again gets the same response.
    assert client.post(f"/en/surveys/campaigns/{open_needs.pk}/respond/")["Location"] == created.get_absolute_url()


def test_respondent_of_an_institute_not_invited_cannot_start(client_as, open_needs):
    assert client_as("nmi-by").post(f"/en/surveys/campaigns/{open_needs.pk}/respond/").status_code == 404


def test_respondent_cannot_open_another_institutes_response(client_as, kg_response):
    assert client_as("nmi-uz").get(kg_response.get_absolute_url()).status_code == 404
    assert client_as("nmi-uz").post(f"/en/surveys/responses/{kg_response.pk}/items/add/").status_code == 404
    assert client_as("nmi-kg").get(kg_response.get_absolute_url()).status_code == 200


def test_draft_item_saves_without_required_fields(client_as, kg_response):
    client = client_as("nmi-kg")
    result = client.post(
        f"/en/surveys/responses/{kg_response.pk}/items/add/",
        {"revision": current_revision(kg_response), "new-subject": "Thermometers"},
    )
    assert result.status_code == 302
    item = Need.objects.get(response=kg_response)
    assert item.subject == "Thermometers" and item.activity_type == ""


def test_bad_value_shows_error_next_to_field_and_keeps_what_was_saved(client_as, kg_response):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=kg_response.institute.members.first())
    services.item_save(item=item, revision=current_revision(item.response), by=None, subject="Saved subject")
    kg_response.refresh_from_db()
    result = client.post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        _item_data(item, subject="New subject", period_from="2027-05-01", period_to="2027-01-01"),
    )
    assert result.status_code == 400
    html = result.content.decode()
    assert f'id="id_item-{item.pk}-period_to_errors"' in html
    assert "The end of the period is before its start." in html
    assert 'value="New subject"' in html  # what was typed is shown again
    item.refresh_from_db()
    assert item.subject == "Saved subject"  # what was saved stays


def test_subfield_must_belong_to_area(client_as, kg_response):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    mass = SubField.objects.get(code="M-MASS")
    ph = SubField.objects.get(code="QM-PH")
    result = client.post(
        f"/ru/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        _item_data(item, area=mass.area_id, subfield=ph.pk),
    )
    assert result.status_code == 400
    assert "Эта подобласть не относится к выбранной области." in result.content.decode()


def test_submit_lists_every_problem_next_to_its_field(client_as, kg_response):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    services.item_save(item=item, revision=current_revision(item.response), by=None, activity_type="comparison", subject="Pressure")
    result = client.post(f"/en/surveys/responses/{kg_response.pk}/submit/", follow=True)
    # Redirected like every other form: a reload of the page posts nothing.
    assert result.redirect_chain == [(f"{kg_response.get_absolute_url()}?check=1", 302)]
    html = result.content.decode()
    assert "The response cannot be submitted yet" in html
    for field in ("area", "period_from", "period_to", "priority"):
        assert f'id="id_item-{item.pk}-{field}_errors"' in html
    assert html.count("This field is required to submit.") == 4
    kg_response.refresh_from_db()
    assert kg_response.status == Response.Status.DRAFT
    assert Need.objects.get(pk=item.pk).subject == "Pressure"


def test_submit_of_an_empty_response_is_refused(client_as, kg_response):
    result = client_as("nmi-kg").post(f"/en/surveys/responses/{kg_response.pk}/submit/", follow=True)
    assert "Add at least one item before submitting." in result.content.decode()


def test_complete_response_is_submitted_with_who_and_when(client_as, kg_response, user_named):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    assert client.post(f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/", _complete_need(item)).status_code == 302
    assert client.post(f"/en/surveys/responses/{kg_response.pk}/submit/").status_code == 302
    kg_response.refresh_from_db()
    assert kg_response.status == Response.Status.SUBMITTED
    assert kg_response.submitted_by == user_named("nmi-kg")
    assert kg_response.submitted_at is not None
    # A submitted response can no longer be changed by its institute.
    assert client.post(
        f"/en/surveys/responses/{kg_response.pk}/items/add/",
        {"revision": current_revision(kg_response), "new-subject": "More"},
    ).status_code == 302
    assert Need.objects.filter(response=kg_response).count() == 1


def test_submit_after_the_deadline_is_refused_and_the_draft_stays(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    services.item_save(item=item, revision=current_revision(item.response), by=None, subject="Kept")
    campaign = kg_response.campaign
    campaign.opens_on = timezone.localdate() - timedelta(days=30)
    campaign.closes_on = timezone.localdate() - timedelta(days=1)
    campaign.save()
    result = client_as("nmi-kg").post(f"/en/surveys/responses/{kg_response.pk}/submit/", follow=True)
    assert "The deadline of this campaign has passed" in result.content.decode()
    kg_response.refresh_from_db()
    assert kg_response.status == Response.Status.DRAFT
    assert Need.objects.get(pk=item.pk).subject == "Kept"


def test_two_people_saving_at_once_get_a_conflict_not_an_overwrite(client_as, kg_response, client, django_user_model):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    stale = kg_response.revision
    first = client_as("nmi-kg")
    assert first.post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/", {**_item_data(item, subject="First")}
    ).status_code == 302
    # A colleague who loaded the page before that save posts the old revision.
    result = first.post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {"revision": stale, f"item-{item.pk}-subject": "Second"},
        follow=True,
    )
    assert "Somebody else saved this response after you opened it." in result.content.decode()
    item.refresh_from_db()
    assert item.subject == "First"


def test_items_are_removed_in_place(client_as, kg_response):
    client = client_as("nmi-kg")
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    result = client.post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/delete/",
        {"revision": kg_response.revision},
        HTTP_HX_REQUEST="true",
    )
    assert result.status_code == 200
    # The card goes (nothing replaces it) and the count beside the heading follows.
    assert result.content.decode().strip() == '<span class="badge text-bg-light border" id="item-count" hx-swap-oob="true">0</span>'
    assert "revisionChanged" in result["HX-Trigger"]
    assert not Need.objects.filter(pk=item.pk).exists()


def test_htmx_add_returns_the_item_form_partial(client_as, kg_response):
    result = client_as("nmi-kg").get(f"/en/surveys/responses/{kg_response.pk}/items/add/", HTTP_HX_REQUEST="true")
    html = result.content.decode()
    assert result.status_code == 200
    assert "<html" not in html and 'data-testid="save-item"' in html


def test_start_from_last_years_answers(client_as, demo, user_named):
    from surveys.models import Campaign

    campaign = Campaign.objects.get(kind="needs", year=timezone.localdate().year)
    user = user_named("nmi-uz")
    response = services.response_start(campaign=campaign, institute=user.institute, by=user)
    result = client_as("nmi-uz").post(
        f"/en/surveys/responses/{response.pk}/copy-previous/", {"revision": current_revision(response)}, follow=True
    )
    assert "5 items copied from the previous response." in result.content.decode()
    subjects = set(Need.objects.filter(response=response).values_list("subject", flat=True))
    assert "Сличение плоскопараллельных концевых мер длины, 0,5–100 мм" in subjects
    # Last year's response itself is untouched.
    assert Need.objects.filter(response__campaign__year=2022, response__institute=user.institute).count() == 5


def test_every_change_is_recorded_with_who_and_what(client_as, kg_response, user_named):
    client = client_as("nmi-kg")
    client.post(
        f"/en/surveys/responses/{kg_response.pk}/items/add/",
        {"revision": current_revision(kg_response), "new-subject": "Barometers"},
    )
    item = Need.objects.get(response=kg_response)
    kg_response.refresh_from_db()
    client.post(f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/", _item_data(item, subject="Manometers"))
    record = item.history.order_by("-history_date").first()
    assert record.subject == "Manometers" and record.history_user == user_named("nmi-kg")
    log = client.get(f"/en/surveys/responses/{kg_response.pk}/history/").content.decode()
    assert "what exactly" in log and "Respondent Kyrgyzstandard" in log
    assert client_as("nmi-uz").get(f"/en/surveys/responses/{kg_response.pk}/history/").status_code == 404


def test_self_classification_answer_and_acceptance_sets_ceems_status(client_as, demo, user_named):
    from institutes.models import CeemsStatus
    from surveys.models import Invitation

    secretariat = user_named("secretariat")
    campaign = services.campaign_save(
        kind="self_classification", year=2027, opens_on=date.today(), closes_on=date.today() + timedelta(days=10),
        reminder_days=3, introduction_ru="", introduction_en="", institutes=[user_named("nmi-md").institute],
        by=secretariat,
    )
    services.campaign_open(campaign=campaign, by=secretariat)
    client = client_as("nmi-md")
    client.post(f"/en/surveys/campaigns/{campaign.pk}/respond/")
    response = Response.objects.get(campaign=campaign)
    result = client.post(
        response.get_absolute_url(),
        {"revision": response.revision, "response-considers_ceems": "true", "response-ceems_reason": "Developing."},
    )
    assert result.status_code == 302
    assert client.post(f"/en/surveys/responses/{response.pk}/submit/").status_code == 302
    client.logout()
    client_as("secretariat").post(f"/en/surveys/responses/{response.pk}/accept/")
    assert CeemsStatus.objects.get(country__iso2="MD", year=2027).is_ceems
    assert Invitation.objects.filter(campaign=campaign).count() == 1


def test_a_conflict_in_place_reloads_the_page_with_the_message(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    stale = kg_response.revision
    services.item_save(item=item, revision=current_revision(item.response), by=None, subject="Saved by a colleague")
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {"revision": stale, f"item-{item.pk}-subject": "Mine"},
        HTTP_HX_REQUEST="true",
    )
    assert result["HX-Redirect"] == kg_response.get_absolute_url()
    page = client_as("nmi-kg").get(kg_response.get_absolute_url()).content.decode()
    assert "Somebody else saved this response" in page
    item.refresh_from_db()
    assert item.subject == "Saved by a colleague"


def test_respondent_downloads_own_response_and_gets_404_for_another(client_as, needs_2022):
    import io

    import openpyxl

    from surveys.models import Response as SurveyResponse

    kg = SurveyResponse.objects.get(campaign=needs_2022, institute__acronym="Kyrgyzstandard")
    uz = SurveyResponse.objects.get(campaign=needs_2022, institute__acronym="UzNIM")
    client = client_as("nmi-kg")
    download = client.get(f"/en/surveys/responses/{kg.pk}/export.xlsx/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    subjects = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "Сличение эталонов массы, 1 мг – 20 кг, класс E2" in subjects
    assert "Сличение плоскопараллельных концевых мер длины, 0,5–100 мм" not in subjects
    assert client.get(f"/en/surveys/responses/{uz.pk}/export.xlsx/").status_code == 404
    assert client.get(f"/en/surveys/responses/{uz.pk}/export.csv/").status_code == 404
    assert client.get(f"/en/surveys/responses/{kg.pk}/export.pdf/").status_code == 404


def test_response_page_queries_do_not_grow_with_items(client_as, kg_response):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("nmi-kg")
    services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    with CaptureQueriesContext(connection) as few:
        assert client.get(kg_response.get_absolute_url()).status_code == 200
    for _ in range(30):
        services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    with CaptureQueriesContext(connection) as many:
        assert client.get(kg_response.get_absolute_url()).status_code == 200
    assert len(many) == len(few)
    # After a failed submit every item shows its form with errors: still no per-item query.
    assert client.post(f"/en/surveys/responses/{kg_response.pk}/submit/").status_code == 302
    with CaptureQueriesContext(connection) as failed:
        assert client.get(f"{kg_response.get_absolute_url()}?check=1").status_code == 200
    services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    with CaptureQueriesContext(connection) as failed_more:
        client.get(f"{kg_response.get_absolute_url()}?check=1")
    assert len(failed_more) == len(failed)


@pytest.mark.parametrize("username", ["secretariat", "nmi-kg"])
def test_a_2021_self_classification_response_page_opens(client_as, demo, username):
    from surveys.models import Campaign, CampaignKind

    campaign = Campaign.objects.get(kind=CampaignKind.SELF_CLASSIFICATION, year=2021)
    response = Response.objects.get(campaign=campaign, institute__acronym="Kyrgyzstandard")
    client = client_as(username)

    page = client.get(f"/en/surveys/responses/{response.pk}/")

    assert page.status_code == 200
    assert page.context["items"] == []
    if username == "secretariat":
        assert client.get(f"/en/surveys/responses/{response.pk}/history/").status_code == 200
