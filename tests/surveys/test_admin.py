"""The admin goes through the rules and the services: a campaign's status
changes only by the actions that call the services, items edited there bump
their response's revision and are validated like the service does, and the
history views work."""
from datetime import date, timedelta

import pytest

from institutes.models import SubField
from surveys import services
from surveys.models import Campaign, Need, Questionnaire, Response
from tests.factories import current_revision

from .conftest import submitted_response

pytestmark = pytest.mark.django_db


def _form_data(page) -> dict:
    """The POST data of an admin change form as it was rendered."""
    data = {}
    context = page.context
    form = context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = list(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for formset in context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and not isinstance(value, bool):
                    data[f"{inline_form.prefix}-{name}"] = value
                elif value is True:
                    data[f"{inline_form.prefix}-{name}"] = "on"
    return data


@pytest.fixture
def draft_campaign(demo, user_named):
    return services.campaign_save(
        kind="needs", year=2031, opens_on=date.today(), closes_on=date.today() + timedelta(days=30),
        reminder_days=7, introduction_ru="", introduction_en="", institutes=[user_named("nmi-md").institute],
        by=user_named("secretariat"),
    )


def test_campaign_status_is_read_only_in_the_admin(client_as, open_needs):
    page = client_as("admin").get(f"/en/admin/surveys/campaign/{open_needs.pk}/change/")
    assert page.status_code == 200
    assert "status" not in page.context["adminform"].form.fields
    assert "opened_at" not in page.context["adminform"].form.fields


def test_admin_opens_a_campaign_through_the_service_and_history_names_the_admin(client_as, draft_campaign, user_named):
    client = client_as("admin")
    answer = client.post(
        "/en/admin/surveys/campaign/",
        {"action": "open_campaigns", "_selected_action": [draft_campaign.pk]},
        follow=True,
    )
    assert "1 campaign opened; the invitations are being sent." in answer.content.decode()
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == Campaign.Status.OPEN and draft_campaign.opened_at
    assert Questionnaire.objects.get(pk=draft_campaign.questionnaire_id).is_frozen
    assert draft_campaign.history.latest().history_user == user_named("admin")


def test_admin_close_action_closes_through_the_service(client_as, open_needs):
    client_as("admin").post("/en/admin/surveys/campaign/", {"action": "close_campaigns", "_selected_action": [open_needs.pk]})
    open_needs.refresh_from_db()
    assert open_needs.status == Campaign.Status.CLOSED


def test_need_edited_in_the_admin_bumps_the_revision_so_an_open_questionnaire_gets_a_conflict(
    client_as, kg_response, user_named
):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    kg_response.refresh_from_db()
    loaded = kg_response.revision  # the respondent's page was loaded at this revision
    admin = client_as("admin")
    page = admin.get(f"/en/admin/surveys/need/{item.pk}/change/")
    data = {**_form_data(page), "subject": "Corrected by the administrator"}
    assert admin.post(f"/en/admin/surveys/need/{item.pk}/change/", data).status_code == 302
    kg_response.refresh_from_db()
    assert kg_response.revision == loaded + 1
    record = Need.history.filter(id=item.pk).latest()
    assert record.subject == "Corrected by the administrator" and record.history_user == user_named("admin")
    admin.logout()
    answer = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {"revision": loaded, f"item-{item.pk}-subject": "Mine"},
        follow=True,
    )
    assert "Somebody else saved this response after you opened it." in answer.content.decode()
    item.refresh_from_db()
    assert item.subject == "Corrected by the administrator"


def test_stale_admin_form_of_a_need_is_refused(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    admin = client_as("admin")
    page = admin.get(f"/en/admin/surveys/need/{item.pk}/change/")
    data = {**_form_data(page), "subject": "Late"}
    services.item_save(item=Need.objects.get(pk=item.pk), revision=current_revision(item.response), by=None, subject="Saved by the respondent")
    answer = admin.post(f"/en/admin/surveys/need/{item.pk}/change/", data)
    assert answer.status_code == 200
    assert "Somebody else saved this response" in answer.content.decode()
    item.refresh_from_db()
    assert item.subject == "Saved by the respondent"


def test_admin_validates_a_need_as_the_service_does(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    admin = client_as("admin")
    page = admin.get(f"/en/admin/surveys/need/{item.pk}/change/")
    mass = SubField.objects.get(code="M-MASS")
    ph = SubField.objects.get(code="QM-PH")
    data = {**_form_data(page), "area": mass.area_id, "subfield": ph.pk}
    answer = admin.post(f"/en/admin/surveys/need/{item.pk}/change/", data)
    assert answer.status_code == 200
    assert str(services.SUBFIELD_NOT_IN_AREA) in answer.content.decode()
    item.refresh_from_db()
    assert item.subfield_id is None


def test_response_saved_in_the_admin_bumps_its_revision_and_a_stale_form_is_refused(client_as, needs_2022):
    response = submitted_response(needs_2022, "UzNIM")
    admin = client_as("admin")
    page = admin.get(f"/en/admin/surveys/response/{response.pk}/change/")
    assert page.status_code == 200
    data = {**_form_data(page), "comment": "Checked by the administrator"}
    assert admin.post(f"/en/admin/surveys/response/{response.pk}/change/", data).status_code == 302
    response.refresh_from_db()
    assert response.comment == "Checked by the administrator"
    assert response.revision == data["revision"] + 1
    again = admin.post(f"/en/admin/surveys/response/{response.pk}/change/", {**data, "comment": "Stale"})
    assert again.status_code == 200 and "Somebody else saved this response" in again.content.decode()
    response.refresh_from_db()
    assert response.comment == "Checked by the administrator"


@pytest.mark.parametrize(
    "model,lookup",
    [
        ("campaign", lambda: Campaign.objects.first()),
        ("questionnaire", lambda: Questionnaire.objects.first()),
        ("response", lambda: Response.objects.first()),
        ("need", lambda: Need.objects.first()),
    ],
)
def test_admin_history_views_work_and_do_not_revert(client_as, demo, model, lookup):
    obj = lookup()
    obj.save()  # demo rows are bulk-created, without history
    client = client_as("admin")
    page = client.get(f"/en/admin/surveys/{model}/{obj.pk}/history/")
    assert page.status_code == 200
    record = obj.history.latest()
    detail = client.get(f"/en/admin/surveys/{model}/{obj.pk}/history/{record.history_id}/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()  # no revert button


@pytest.mark.parametrize("username", ["secretariat", "chair", "committee", "nmi-kg"])
def test_other_roles_do_not_reach_the_survey_admin(client_as, open_needs, username):
    answer = client_as(username).get(f"/en/admin/surveys/campaign/{open_needs.pk}/change/")
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]


def test_an_item_change_posted_without_its_revision_is_refused(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    services.item_save(item=Need.objects.get(pk=item.pk), revision=current_revision(kg_response), by=None, subject="The respondent's")
    result = client_as("admin").post(
        f"/en/admin/surveys/need/{item.pk}/change/",
        {"response": kg_response.pk, "subject": "Admin's, without a revision", "position": 1},
    )
    assert result.status_code == 200  # the form again, with the conflict
    assert Need.objects.get(pk=item.pk).subject == "The respondent's"


def test_an_open_campaigns_kind_and_invitations_cannot_be_changed_in_the_admin(client_as, open_needs):
    from surveys.models import Invitation

    client = client_as("admin")
    page = client.get(f"/en/admin/surveys/campaign/{open_needs.pk}/change/").content.decode()
    assert 'name="kind"' not in page
    assert 'name="invitations-0-DELETE"' not in page
    before = set(Invitation.objects.filter(campaign=open_needs).values_list("institute_id", flat=True))
    assert before


def test_reactivating_a_user_in_the_admin_keeps_their_roles(user_named):
    from institutes.admin import PortalUserChangeForm
    from institutes.models import User

    secretariat = user_named("secretariat")
    User.objects.filter(pk=secretariat.pk).update(is_active=False)
    inactive = User.objects.get(pk=secretariat.pk)
    # The form the admin shows starts from the roles held, active or not:
    # saving it with "active" ticked gives them back unchanged.
    assert PortalUserChangeForm(instance=inactive).fields["roles"].initial == ["secretariat"]
