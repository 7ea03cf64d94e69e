import pytest

from surveys.models import Campaign, CampaignKind, Response


@pytest.fixture
def needs_2022(demo):
    return Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022)


def submitted_response(campaign, acronym):
    return Response.objects.get(campaign=campaign, institute__acronym=acronym)
