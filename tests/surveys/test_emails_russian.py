"""The survey emails read as Russian written by a person."""
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from institutes.models import Institute
from surveys.models import Campaign, CampaignKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo):
    campaign = Campaign.objects.filter(kind=CampaignKind.NEEDS).order_by("-year").first()
    campaign.closes_on = date(2026, 12, 24)
    return campaign


def _render(template, campaign, institute):
    with translation.override("ru"):
        return render_to_string(
            f"surveys/emails/{template}.txt",
            {"user": "Айгуль Токтогулова", "campaign": campaign, "institute": institute, "link": "https://portal/"},
        )


def test_the_reminder_names_the_institute_grammatically(campaign):
    kyrgyzstandard = Institute.objects.get(acronym="Kyrgyzstandard")
    body = _render("reminder", campaign, kyrgyzstandard)
    with translation.override("ru"):
        title = str(campaign)
    assert (
        f"Ответы организации «Центр по стандартизации и метрологии Кыргызской Республики» на анкету «{title}»"
        " ещё не отправлены. Срок — 24 декабря 2026 г." in body
    )


@pytest.mark.parametrize("template", ["invitation", "reminder"])
def test_a_date_that_ends_a_sentence_has_one_full_stop(campaign, template):
    body = _render(template, campaign, Institute.objects.get(acronym="UzNIM"))
    assert "24 декабря 2026 г." in body
    assert "г.." not in body
