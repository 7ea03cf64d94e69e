"""The home pages: the NMI's questionnaires to answer, the open campaigns
with their response rates for the Secretariat and the Committee."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from surveys import services
from surveys.models import Campaign, CampaignKind, Invitation, Response

pytestmark = pytest.mark.django_db


def _card(html, name):
    match = re.search(rf'<section[^>]*data-testid="home-{name}".*?</section>', html, re.S)
    return match.group(0) if match else None


def test_the_nmi_home_page_lists_its_open_questionnaires_with_deadline_and_status(client_as, open_needs, user_named):
    client = client_as("nmi-kg")
    card = _card(client.get("/en/").content.decode(), "surveys_todo")
    assert card is not None
    assert f"CEEMS needs {open_needs.year}" in card and "not started" in card
    assert f"submit by {date_format(open_needs.closes_on)}" in card
    # Once started, the card shows the draft and links to it.
    kg = user_named("nmi-kg")
    response = services.response_start(campaign=open_needs, institute=kg.institute, by=kg)
    card = _card(client.get("/en/").content.decode(), "surveys_todo")
    assert "Draft" in card and response.get_absolute_url() in card


def test_an_nmi_not_invited_to_any_open_campaign_is_told_so(client_as, open_needs):
    card = _card(client_as("nmi-md").get("/en/").content.decode(), "surveys_todo")
    assert "No questionnaire is open for your institute right now." in card


@pytest.mark.parametrize("username", ["secretariat", "committee", "chair"])
def test_the_secretariat_and_committee_see_open_campaigns_with_response_rates(client_as, open_needs, username):
    am = Invitation.objects.get(campaign=open_needs, institute__acronym="NIM-AM").institute
    Response.objects.create(campaign=open_needs, institute=am, status=Response.Status.SUBMITTED)
    card = _card(client_as(username).get("/en/").content.decode(), "surveys_open")
    assert card is not None
    assert f"CEEMS needs {open_needs.year}" in card
    assert "1 of 4 institutes have submitted (25%)" in card
    assert "progress-25" in card


def test_a_respondent_does_not_see_the_campaigns_response_rates(client_as, open_needs):
    assert _card(client_as("nmi-kg").get("/en/").content.decode(), "surveys_open") is None


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["secretariat", "nmi-kg"])
def test_the_home_page_makes_the_same_number_of_queries_for_one_or_many_open_campaigns(client_as, open_needs, username):
    client = client_as(username)
    _home_queries(client)  # warm the per-language caches
    one = _home_queries(client)
    kg = Invitation.objects.get(campaign=open_needs, institute__acronym="Kyrgyzstandard").institute
    today = timezone.localdate()
    for year in range(2040, 2046):
        campaign = Campaign.objects.create(
            kind=CampaignKind.OFFERS, year=year, questionnaire=open_needs.questionnaire, status=Campaign.Status.OPEN,
            opens_on=today, closes_on=today + timedelta(days=year - 2000),
        )
        Invitation.objects.create(campaign=campaign, institute=kg)
        Response.objects.create(campaign=campaign, institute=kg, status=Response.Status.DRAFT)
    assert _home_queries(client) == one
