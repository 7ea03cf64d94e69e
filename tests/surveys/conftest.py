import pytest
from django.utils import timezone

from surveys.models import Campaign, CampaignKind, Response


@pytest.fixture
def open_needs(demo):
    """The demo's open needs campaign of the current year (AM, KG, TJ, UZ invited)."""
    return Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)


@pytest.fixture
def kg_response(open_needs, user_named):
    from surveys.services import response_start

    user = user_named("nmi-kg")
    return response_start(campaign=open_needs, institute=user.institute, by=user)


@pytest.fixture
def needs_2022(demo):
    return Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022)


def submitted_response(campaign, acronym):
    return Response.objects.get(campaign=campaign, institute__acronym=acronym)
