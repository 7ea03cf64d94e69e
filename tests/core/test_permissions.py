"""The permission modules (institutes.permissions, surveys.permissions),
asked through the views, the templates and the admin."""
import pytest
from django.urls import reverse

from surveys.models import Campaign, Response
from tests.factories import current_revision

pytestmark = pytest.mark.django_db


DEMO_ROLES = ["secretariat", "chair", "committee", "nmi-kg", "nmi-uz", "nmi-am", "nmi-md", "admin"]


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_view_rules_agree_with_the_querysets_for_every_object(user_named, kg_response, username):
    """The rule for one object and visible_to() for rows say the same."""
    user = user_named(username)
    visible = set(Response.objects.visible_to(user).values_list("pk", flat=True))
    for response in Response.objects.select_related("campaign"):
        assert user.has_perm("surveys.view_response", response) == (response.pk in visible), response
    visible = set(Campaign.objects.visible_to(user).values_list("pk", flat=True))
    for campaign in Campaign.objects.all():
        assert user.has_perm("surveys.view_campaign", campaign) == (campaign.pk in visible), campaign


def test_respondent_cannot_open_another_institutes_response(client_as, kg_response):
    client = client_as("nmi-uz")
    assert client.get(kg_response.get_absolute_url()).status_code == 404
    assert client.get(reverse("surveys:response_history", args=[kg_response.pk])).status_code == 404
    assert client.post(reverse("surveys:item_add", args=[kg_response.pk]), {"revision": current_revision(kg_response)}).status_code == 404


def test_task_group_reading_a_submitted_response_cannot_change_it(client_as, demo):
    response = Response.objects.get(campaign__kind="needs", campaign__year=2022, institute__acronym="UzNIM")
    client = client_as("chair")
    page = client.get(response.get_absolute_url())
    assert page.status_code == 200
    assert reverse("surveys:item_add", args=[response.pk]) not in page.content.decode()
    assert client.post(reverse("surveys:item_add", args=[response.pk]), {"revision": current_revision(response)}).status_code == 404
    assert client.post(response.get_absolute_url(), {"response-comment": "x"}).status_code == 404


@pytest.mark.parametrize("username", ["committee", "chair", "nmi-kg"])
def test_committee_task_group_and_respondents_cannot_open_the_campaign_form(client_as, open_needs, username):
    client = client_as(username)
    assert client.get(reverse("surveys:campaign_create")).status_code == 403
    assert client.get(reverse("surveys:campaign_history", args=[open_needs.pk])).status_code in (403, 404)


def test_secretariat_reads_the_campaign_change_log_linked_from_the_campaign(client_as, open_needs):
    client = client_as("secretariat")
    url = reverse("surveys:campaign_history", args=[open_needs.pk])
    assert url in client.get(open_needs.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200


def _links(html: str) -> set[str]:
    import re

    return set(re.findall(r'href="(/en/[^"#?]*)', html))


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_link_on_campaign_and_response_pages_answers_200_to_whom_it_is_shown(client_as, kg_response, username):
    """A link is shown iff the page behind it answers: the template asks the
    same rule as the view."""
    client = client_as(username)
    pages = [reverse("surveys:campaign_list")]
    pages += [c.get_absolute_url() for c in Campaign.objects.all()]
    pages += [r.get_absolute_url() for r in Response.objects.all()]
    checked: dict[str, int] = {}
    for page in pages:
        answer = client.get(page)
        if answer.status_code != 200:
            continue
        for link in _links(answer.content.decode()):
            if link.startswith(("/en/surveys/", "/en/institutes/")) and link not in checked:
                checked[link] = client.get(link).status_code
    bad = {link: status for link, status in checked.items() if status not in (200, 302)}
    assert checked
    assert not bad, bad


@pytest.mark.parametrize("username", ["chair", "committee", "nmi-uz"])
def test_progress_table_links_only_the_responses_the_user_may_open(client_as, open_needs, kg_response, username):
    html = client_as(username).get(open_needs.get_absolute_url()).content.decode()
    assert kg_response.get_absolute_url() not in html


def test_only_the_secretariat_sees_the_campaign_buttons(client_as, open_needs):
    secretariat = client_as("secretariat").get(open_needs.get_absolute_url()).content.decode()
    assert reverse("surveys:campaign_close", args=[open_needs.pk]) in secretariat
    assert reverse("surveys:import_upload") in secretariat
    for username in ("chair", "committee", "nmi-kg"):
        page = client_as(username).get(open_needs.get_absolute_url()).content.decode()
        assert reverse("surveys:campaign_close", args=[open_needs.pk]) not in page, username
        assert reverse("surveys:import_upload") not in page, username


def test_administrator_has_the_rule_not_every_permission(user_named, kg_response):
    """A superuser is not waved through: the rule answers (an administrator
    is no respondent of Kyrgyzstandard, so may not edit its answers)."""
    admin = user_named("admin")
    assert admin.has_perm("surveys.view_response", kg_response)
    assert not admin.has_perm("surveys.edit_response", kg_response)
    assert not admin.has_perm("surveys.answer_response", kg_response)
    # A permission no rule defines is still Django's (superuser: yes).
    assert admin.has_perm("institutes.change_country")


def test_inactive_user_holds_no_permission(user_named, kg_response):
    user = user_named("nmi-kg")
    assert user.has_perm("surveys.edit_response", kg_response)
    user.is_active = False
    assert not user.has_perm("surveys.edit_response", kg_response)


# --- The admin asks the same rules -------------------------------------------------

def test_admin_refuses_to_delete_an_open_campaign(client_as, open_needs):
    client = client_as("admin")
    assert client.get(f"/en/admin/surveys/campaign/{open_needs.pk}/delete/").status_code == 403
    draft = Campaign.objects.filter(status=Campaign.Status.DRAFT).first()
    if draft is not None:
        assert client.get(f"/en/admin/surveys/campaign/{draft.pk}/delete/").status_code == 200


def test_admin_refuses_to_delete_a_submitted_response(client_as, demo, kg_response):
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED).first()
    client = client_as("admin")
    assert client.get(f"/en/admin/surveys/response/{submitted.pk}/delete/").status_code == 403
    assert client.get(f"/en/admin/surveys/response/{kg_response.pk}/delete/").status_code == 200


def test_admin_bulk_delete_refuses_what_the_rule_refuses(client_as, open_needs):
    client = client_as("admin")
    answer = client.post(
        "/en/admin/surveys/campaign/",
        {"action": "delete_selected", "_selected_action": [open_needs.pk], "post": "yes"},
    )
    assert Campaign.objects.filter(pk=open_needs.pk).exists()
    assert answer.status_code in (200, 403)
