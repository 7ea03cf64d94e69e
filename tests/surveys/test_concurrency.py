"""Two people, one response: a write is checked against the revision its page
was loaded with, and a write that carries none is refused, not waved through.
Values the database cannot hold are a message next to the field."""
from datetime import timedelta

import pytest
from django.utils import timezone

from core.concurrency import STALE, revision_bump, revision_claim, revision_from
from core.errors import ConflictError
from surveys import services
from surveys.models import MAX_CAPACITY, Campaign, CampaignKind, Need, Offer, Response
from tests.factories import current_revision

pytestmark = pytest.mark.django_db

CONFLICT_TEXT = "Somebody else saved this response after you opened it."


def test_an_item_save_without_a_revision_is_refused_and_changes_nothing(client_as, kg_response):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    services.item_save(item=item, revision=current_revision(kg_response), by=None, subject="Saved by a colleague")
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {f"item-{item.pk}-subject": "Posted without a revision"},
        follow=True,
    )
    assert CONFLICT_TEXT in result.content.decode()
    assert Need.objects.get(pk=item.pk).subject == "Saved by a colleague"


def test_a_general_save_without_a_revision_is_refused(client_as, kg_response):
    services.response_save(response=kg_response, revision=current_revision(kg_response), by=None, comment="A colleague's")
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/", {"response-comment": "Mine, from an old tab"}, follow=True
    )
    assert CONFLICT_TEXT in result.content.decode()
    assert Response.objects.get(pk=kg_response.pk).comment == "A colleague's"


@pytest.mark.parametrize("garbage", ["", "abc", "-3", "0", "1e9", "9" * 400])
def test_a_revision_that_is_not_a_number_is_a_conflict_not_an_error(client_as, kg_response, garbage):
    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {"revision": garbage, f"item-{item.pk}-subject": "x"},
    )
    assert result.status_code == 302
    assert Need.objects.get(pk=item.pk).subject == ""


def test_adding_an_item_from_a_stale_page_is_a_conflict(client_as, kg_response):
    stale = current_revision(kg_response)
    services.response_save(response=kg_response, revision=stale, by=None, comment="Saved meanwhile")
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/add/", {"revision": stale, "new-subject": "x"}, follow=True
    )
    assert CONFLICT_TEXT in result.content.decode()
    assert not Need.objects.filter(response=kg_response).exists()


def test_an_htmx_add_tells_the_page_which_revision_it_moved_from_and_to(client_as, kg_response):
    import json

    loaded = current_revision(kg_response)
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/add/",
        {"revision": loaded, "new-subject": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert json.loads(result["HX-Trigger"]) == {"revisionChanged": {"from": loaded, "to": loaded + 1}}


def test_an_htmx_item_save_reports_the_revision_it_claimed_not_a_later_one(client_as, kg_response):
    import json

    item = services.item_add(response=kg_response, revision=current_revision(kg_response), by=None)
    loaded = current_revision(kg_response)
    result = client_as("nmi-kg").post(
        f"/en/surveys/responses/{kg_response.pk}/items/{item.pk}/",
        {"revision": loaded, f"item-{item.pk}-subject": "Mine"},
        HTTP_HX_REQUEST="true",
    )
    assert json.loads(result["HX-Trigger"])["revisionChanged"] == {"from": loaded, "to": loaded + 1}


@pytest.mark.parametrize("edit", ["²", "9" * 5000, "-1", "1e3"])
def test_a_hostile_edit_parameter_is_ignored_not_an_error(client_as, kg_response, edit):
    assert client_as("nmi-kg").get(f"/en/surveys/responses/{kg_response.pk}/", {"edit": edit}).status_code == 200


@pytest.fixture
def open_self_classification(demo, user_named):
    campaign = Campaign.objects.get(kind=CampaignKind.SELF_CLASSIFICATION, year=2021)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.OPEN, closes_on=timezone.localdate() + timedelta(days=30)
    )
    response = Response.objects.get(campaign=campaign, institute=user_named("nmi-kg").institute)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.DRAFT)
    return Response.objects.get(pk=response.pk)


def test_item_urls_of_a_self_classification_answer_404_not_500(client_as, open_self_classification):
    client = client_as("nmi-kg")
    url = f"/en/surveys/responses/{open_self_classification.pk}"
    data = {"revision": open_self_classification.revision}
    assert client.get(f"{url}/", {"edit": "1"}).status_code == 200
    assert client.post(f"{url}/items/1/", data).status_code == 404
    assert client.post(f"{url}/items/1/delete/", data).status_code == 404
    added = client.post(f"{url}/items/add/", data, follow=True)
    assert "This questionnaire has no needs or offers to add." in added.content.decode()


def test_revision_helpers_claim_once_and_refuse_a_missing_number(kg_response):
    start = current_revision(kg_response)
    assert revision_claim(kg_response, revision=start) == start + 1
    with pytest.raises(ConflictError) as stale:
        revision_claim(kg_response, revision=start)
    assert stale.value.message == STALE
    with pytest.raises(ConflictError):
        revision_claim(kg_response, revision=None)
    assert revision_bump(kg_response) == start + 2 == current_revision(kg_response)
    assert revision_from({"revision": " 7 "}) == 7
    assert revision_from({}) is None


@pytest.fixture
def by_offers(demo, user_named):
    """Belarus's 2022 offers, reopened for editing in an open campaign."""
    campaign = Campaign.objects.get(kind=CampaignKind.OFFERS, year=2022)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.OPEN, closes_on=timezone.localdate() + timedelta(days=30)
    )
    response = Response.objects.get(campaign=campaign, institute=user_named("nmi-by").institute)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.DRAFT)
    return Response.objects.get(pk=response.pk)


@pytest.mark.parametrize("capacity", [str(2**31), str(2**63), str(MAX_CAPACITY + 1), "0"])
def test_a_capacity_out_of_range_is_a_message_next_to_the_field(client_as, by_offers, capacity):
    offer = Offer.objects.filter(response=by_offers).first()
    before = offer.capacity
    result = client_as("nmi-by").post(
        f"/en/surveys/responses/{by_offers.pk}/items/{offer.pk}/",
        {"revision": by_offers.revision, f"item-{offer.pk}-capacity": capacity},
    )
    assert result.status_code == 400
    html = result.content.decode()
    assert f'id="id_item-{offer.pk}-capacity_errors"' in html
    assert f"Enter a capacity from 1 to {MAX_CAPACITY} a year." in html or "less than or equal to" in html
    assert Offer.objects.get(pk=offer.pk).capacity == before


def test_the_item_service_applies_the_models_own_rules(by_offers):
    from django.core.exceptions import ValidationError

    offer = Offer.objects.filter(response=by_offers).first()
    with pytest.raises(ValidationError) as error:
        services.item_save(item=offer, revision=by_offers.revision, by=None, languages="klingon")
    assert "languages" in error.value.message_dict
    assert Offer.objects.get(pk=offer.pk).languages != "klingon"
