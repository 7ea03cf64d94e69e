"""The finding: the change-log link on a response page answered 404 to the
task group, the Committee and the respondents it was shown to. The rule now:
whoever may view a response may read its change log; the link and the page
ask the same permission."""
import pytest
from django.urls import reverse

from surveys.models import Response

pytestmark = pytest.mark.django_db


def _uz_2022(needs_2022):
    return Response.objects.get(campaign=needs_2022, institute__acronym="UzNIM")


@pytest.mark.parametrize(
    "username",
    [
        "chair",  # the task group
        "committee",  # the Committee
        "nmi-am",  # a respondent of another institute who is also in the task group
        "nmi-uz",  # a respondent of the response's own institute
        "secretariat",
    ],
)
def test_everyone_shown_the_change_log_link_can_open_the_change_log(client_as, needs_2022, username):
    response = _uz_2022(needs_2022)
    client = client_as(username)
    page = client.get(response.get_absolute_url())
    assert page.status_code == 200
    history_url = reverse("surveys:response_history", args=[response.pk])
    assert history_url in page.content.decode()
    log = client.get(history_url)
    assert log.status_code == 200
    assert "Change log" in log.content.decode()


@pytest.mark.parametrize("username", ["nmi-kg", "nmi-md"])
def test_respondent_of_another_institute_gets_404_for_the_change_log(client_as, needs_2022, username):
    response = _uz_2022(needs_2022)
    assert client_as(username).get(reverse("surveys:response_history", args=[response.pk])).status_code == 404


@pytest.mark.parametrize("username", ["chair", "committee"])
def test_task_group_and_committee_get_404_for_the_change_log_of_a_draft(client_as, kg_response, username):
    assert client_as(username).get(reverse("surveys:response_history", args=[kg_response.pk])).status_code == 404
